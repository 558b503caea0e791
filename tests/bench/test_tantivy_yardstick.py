"""The tantivy yardstick (bench/tantivy_yardstick.py) answers the portal's questions: on a catalogue
without text, the same totals, facet counts, flags and newest-first page as the portal's search.
A yardstick that answered something easier would flatter the engine."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from bench.tantivy_yardstick import Engine, build
from placements.models import Listing
from placements.search import parse_params, search_listings
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_rendered_each_time")]


@pytest.fixture
def page_rendered_each_time(monkeypatch):
    from placements.search import render_cache

    monkeypatch.setattr(render_cache, "serves_from_cache", lambda user: False)


@pytest.fixture
def engine(db):
    rng = random.Random(5)
    now = timezone.now()
    institutions = [InstitutionFactory(state=state) for state in ("IL", "TX", "NY")]
    for _i in range(40):
        listing = ListingFactory(
            institution=rng.choice(institutions),
            kind=rng.choice(Listing.Kind.values),
            duration_weeks=rng.choice([2, 6, 12]),
            lor_offered=rng.random() < 0.5,
            programme_fee=Decimal(rng.choice([0, 900])),
            visas=rng.choice([[], ["j1"], ["b1b2", "j1"]]),
        )
        Listing.objects.filter(pk=listing.pk).update(published_at=now - dt.timedelta(days=rng.randint(1, 4)))
        if rng.random() < 0.6:
            opens = now - dt.timedelta(days=2) if rng.random() < 0.7 else now + dt.timedelta(days=2)
            SessionFactory(listing=listing, applications_open_at=opens)
    index, _seconds = build(log=lambda line: None)
    return Engine(index)


@pytest.mark.parametrize(
    "query", [{}, {"state": "IL"}, {"kind": "observership", "visa": "j1"}, {"state": "TX", "open_now": "1"}]
)
def test_the_yardstick_counts_and_orders_as_the_portal_does(engine, query):
    answer = engine.search(query)
    portal = search_listings(parse_params(query))
    facets = {param: {v.value: v.count for v in values if v.count} for param, values in portal.facets.items()}
    assert answer.total == portal.total > 0
    assert answer.facets == {
        "kind": facets["kind"],
        "specialty_slug": facets["specialty"],
        "state": facets["state"],
        "hands_on": facets["hands_on"],
        "visa": facets["visa"],
        "duration": facets["duration"],
    }
    assert answer.flags == {param: flag.count for param, flag in portal.flags.items()}
    assert answer.ids == [listing.pk for listing in portal.page.object_list]
