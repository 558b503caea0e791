"""The search's results, counts and order on a generated catalogue, against answers computed here in
plain Python from what was generated (not from the search's stored columns or SQL).

A user would notice any difference as a listing missing or misplaced, or a facet count that does
not match the results it leads to. The catalogue and the queries are random but seeded."""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from placements.models import Listing, Specialty
from placements.search import DURATIONS, parse_params, search_listings
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_rendered_each_time")]

STATES = [("IL", "Chicago"), ("TX", "Houston"), ("NY", "Albany"), ("CA", "Fresno"), ("AZ", "Tucson")]
VISA_SETS = [[], ["j1"], ["b1b2", "esta"], ["j1", "h1b", "us"], ["f1"], ["ead", "j1"]]
# Words found in titles only, once each: every backend matches them the same way and ranks the
# matches equal, so the order after the text is the newest first, then the highest id.
WORDS = ["zephyr", "quokka", "marble"]
SORTS = ["relevance", "deadline", "fee", "start", "newest"]


@dataclass
class Made:
    pk: int
    kind: str
    specialty: str
    state: str
    hands_on: str
    visas: set[str]
    weeks: int
    cost: Decimal
    ecfmg: bool
    lor: bool
    word: str
    published_at: dt.datetime | None
    published: bool
    sessions: list[dict] = field(default_factory=list)


@pytest.fixture
def catalogue(db):
    rng = random.Random(2027)
    now = timezone.now()
    institutions = {state: InstitutionFactory(state=state, city=city) for state, city in STATES}
    specialties = list(Specialty.objects.order_by("pk")[:6])
    made = []
    for i in range(70):
        state = rng.choice(list(institutions))
        word = rng.choice([*WORDS, "", ""])
        published_at = now - dt.timedelta(days=rng.choice([1, 2, 3, 3, 40])) if rng.random() < 0.9 else None
        fields = dict(
            institution=institutions[state],
            specialty=rng.choice(specialties),
            title=f"Clinical {word} placement {i}" if word else f"Clinical placement {i}",
            description="Teaching rounds.",
            kind=rng.choice(Listing.Kind.values),
            hands_on_level=rng.choice(Listing.HandsOn.values),
            duration_weeks=rng.choice([1, 4, 5, 8, 9, 12]),
            programme_fee=Decimal(rng.choice([0, 1500, 4000])),
            application_fee=Decimal(rng.choice([0, 100])),
            lor_offered=rng.random() < 0.4,
            requires_ecfmg_certification=rng.random() < 0.3,
            status=Listing.Status.PUBLISHED if i % 9 else Listing.Status.DRAFT,
        )
        visas = rng.choice(VISA_SETS)
        listing = ListingFactory(visas=visas, **fields)
        Listing.objects.filter(pk=listing.pk).update(published_at=published_at)
        item = Made(
            pk=listing.pk,
            kind=fields["kind"],
            specialty=fields["specialty"].slug,
            state=state,
            hands_on=fields["hands_on_level"],
            visas=set(visas),
            weeks=fields["duration_weeks"],
            cost=fields["programme_fee"] + fields["application_fee"],
            ecfmg=fields["requires_ecfmg_certification"],
            lor=fields["lor_offered"],
            word=word,
            published_at=published_at,
            published=fields["status"] == Listing.Status.PUBLISHED,
        )
        for _n in range(rng.choice([0, 1, 1, 2])):
            start = now.date() + dt.timedelta(days=rng.randint(20, 300))
            closes = dt.datetime.combine(start - dt.timedelta(days=rng.choice([5, 15])), dt.time(17), tzinfo=dt.UTC)
            opens = now - dt.timedelta(days=3) if rng.random() < 0.6 else now + dt.timedelta(days=2)
            archived = rng.random() < 0.15
            SessionFactory(
                listing=listing,
                start_date=start,
                end_date=start + dt.timedelta(days=20),
                applications_open_at=opens,
                applications_close_at=closes,
                is_archived=archived,
            )
            item.sessions.append({"start": start, "opens": opens, "closes": closes, "archived": archived})
        made.append(item)
    return made


# --- The answers, in plain Python -----------------------------------------------------------------


def live(item):
    return [s for s in item.sessions if not s["archived"]]


def open_now(item, now):
    return any(s["opens"] <= now < s["closes"] for s in live(item))


def bucket(weeks):
    return next(
        key for key, (_label, low, high) in DURATIONS.items() if weeks >= low and (high is None or weeks <= high)
    )


GROUPS = {
    "kind": lambda item: [item.kind],
    "specialty": lambda item: [item.specialty],
    "state": lambda item: [item.state],
    "hands_on": lambda item: [item.hands_on],
    "visa": lambda item: sorted(item.visas),
    "duration": lambda item: [bucket(item.weeks)],
}
FLAGS = {
    "open_now": lambda item, now: open_now(item, now),
    "no_ecfmg": lambda item, now: not item.ecfmg,
    "lor": lambda item, now: item.lor,
}


def matches(item, query, now, skip=None):
    for param, value in query.items():
        if param in (skip, "sort"):
            continue
        if param == "q" and value not in item.word:
            return False
        if param in GROUPS and value not in GROUPS[param](item):
            return False
        if param in FLAGS and not FLAGS[param](item, now):
            return False
        if param == "fee_max" and item.cost > Decimal(value):
            return False
        if param == "start_month" and not any(s["start"].strftime("%Y-%m") == value for s in live(item)):
            return False
    return item.published


def sort_key(item, sort, now, text):
    newest = (item.published_at is None, -(item.published_at.timestamp() if item.published_at else 0), -item.pk)
    if sort == "deadline":
        deadline = min((s["closes"] for s in live(item) if s["closes"] > now), default=None)
        return (deadline is None, deadline or now, -item.pk)
    if sort == "start":
        start = min((s["start"] for s in live(item) if s["start"] >= now.date()), default=None)
        return (start is None, start or now.date(), -item.pk)
    if sort == "fee":
        return (item.cost, -item.pk)
    return newest  # "newest", and "relevance" with every match ranked equal (or no text)


def expected(catalogue, query, now):
    found = [item for item in catalogue if matches(item, query, now)]
    found.sort(key=lambda item: sort_key(item, query.get("sort", "relevance"), now, query.get("q")))
    facets = {}
    for param, keys in GROUPS.items():
        counts = {}
        for item in catalogue:
            if matches(item, query, now, skip=param):
                for key in keys(item):
                    counts[key] = counts.get(key, 0) + 1
        facets[param] = counts
    flags = {
        param: len(found) if param in query else sum(1 for item in found if flag(item, now))
        for param, flag in FLAGS.items()
    }
    return [item.pk for item in found], facets, flags


def random_query(rng, specialties, months):
    query = {}
    picks = {
        "q": WORDS,
        "kind": Listing.Kind.values,
        "specialty": specialties,
        "state": [s for s, _c in STATES] + ["WY"],
        "hands_on": Listing.HandsOn.values,
        "visa": ["j1", "b1b2", "f1", "us"],
        "duration": list(DURATIONS),
        "fee_max": ["1500", "4000"],
        "start_month": months,
        "open_now": ["1"],
        "no_ecfmg": ["1"],
        "lor": ["1"],
    }
    for param in rng.sample(list(picks), rng.randint(0, 4)):
        query[param] = rng.choice(picks[param])
    query["sort"] = rng.choice(SORTS)
    return query


def test_results_counts_and_order_match_the_catalogue(catalogue):
    rng = random.Random(11)
    specialties = sorted({item.specialty for item in catalogue})
    months = sorted({s["start"].strftime("%Y-%m") for item in catalogue for s in item.sessions})[:6]
    queries = [{}, {"sort": "deadline"}, {"q": "zephyr"}, {"state": "IL", "visa": "j1", "open_now": "1"}]
    queries += [random_query(rng, specialties, months) for _ in range(40)]
    # Every grouped facet picked at once: no facet is left for the one pass to group by.
    every_group = {"kind": "rotation", "specialty": specialties[0], "state": "IL", "hands_on": "hands_on"}
    queries.append({**every_group, "visa": "j1", "duration": "up-to-4", "lor": "1"})
    for query in queries:
        now = timezone.now()
        result = search_listings(parse_params(query), page_size=1000)
        pks, facets, flags = expected(catalogue, query, now)
        assert [listing.pk for listing in result.page.object_list] == pks, query
        assert result.total == len(pks), query
        got_facets = {param: {v.value: v.count for v in values if v.count} for param, values in result.facets.items()}
        assert got_facets == facets, query
        for param, values in result.facets.items():
            assert [v.value for v in values if v.selected] == ([query[param]] if param in query else []), query
        assert {param: value.count for param, value in result.flags.items()} == flags, query


def test_pages_split_the_same_order_without_overlap(catalogue):
    query = {"sort": "fee"}
    pks, _facets, _flags = expected(catalogue, query, timezone.now())
    paged = []
    for number in range(1, 4):
        page = search_listings(parse_params({**query, "page": str(number)}), page_size=25).page
        paged += [listing.pk for listing in page.object_list]
    assert paged == pks
