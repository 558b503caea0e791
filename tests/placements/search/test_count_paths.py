"""The two ways of counting a search give the same counts: the grouping sets PostgreSQL runs
(`counts.counts_by_grouping_sets`) and the per-facet queries SQLite runs (`counts.counts_per_facet`).

A user would notice a difference as facet counts that change with the database behind the portal."""

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from applicants.models import ApplicantProfile
from applicants.search import ELIGIBLE_FILTER
from placements import search
from placements.models import Listing, Specialty
from placements.search import counts
from placements.search.query import filtered, searched
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the single-pass count is PostgreSQL's"),
]

VISA_SETS = [[], ["j1"], ["b1b2", "esta"], ["j1", "h1b", "us"], ["f1"], ["ead", "j1"]]


@pytest.fixture
def catalogue(db):
    rng = random.Random(7)
    institutions = [
        InstitutionFactory(state=state, city=city)
        for state, city in [("IL", "Chicago"), ("TX", "Houston"), ("NY", "New York"), ("CA", "Fresno")]
    ]
    specialties = list(Specialty.objects.order_by("pk")[:5])
    titles = ["Cardiology Rotation", "Internal Medicine Observership", "Surgery Externship", "Pediatrics Research"]
    now = timezone.now()
    for i in range(60):
        listing = ListingFactory(
            institution=rng.choice(institutions),
            specialty=rng.choice(specialties),
            title=f"{rng.choice(titles)} {i}",
            kind=rng.choice(Listing.Kind.values),
            hands_on_level=rng.choice(Listing.HandsOn.values),
            duration_weeks=rng.choice([1, 4, 5, 8, 9, 12]),
            programme_fee=Decimal(rng.choice([0, 1500, 4000])),
            lor_offered=rng.random() < 0.4,
            requires_ecfmg_certification=rng.random() < 0.3,
            requires_step1_pass=rng.random() < 0.3,
            max_years_since_graduation=rng.choice([None, 3, 10]),
            visas=rng.choice(VISA_SETS),
            status=Listing.Status.PUBLISHED if i % 10 else Listing.Status.DRAFT,
        )
        if rng.random() < 0.6:
            opens = now - dt.timedelta(days=10) if rng.random() < 0.7 else now + dt.timedelta(days=5)
            SessionFactory(listing=listing, applications_open_at=opens)
    return institutions


QUERIES = [
    {},
    {"q": "cardiology"},
    {"q": "medicine", "state": "IL"},
    {"state": "TX", "open_now": "1"},
    {"kind": "observership", "visa": "j1", "duration": "up-to-4"},
    {"visa": "f1"},
    {"visa": "us", "lor": "1"},
    {"hands_on": "observational", "no_ecfmg": "1", "fee_max": "2000"},
    {"specialty": "dermatology"},
    {"q": "surgery", "kind": "externship", "state": "NY", "hands_on": "hands_on", "visa": "b1b2", "duration": "9-plus"},
    {"q": "nothing-matches-this"},
    {"state": "WY"},
]


def both_counts(query, user=None, extra=()):
    params = search.parse_params(query, extra)
    filters = [*search.FILTERS, *extra]
    ctx = search.SearchContext(user=user, now=timezone.now())
    base = Listing.objects.published().with_total_cost()
    qs = filtered(base, params, filters, ctx)
    return (
        counts.counts_per_facet(base, qs, params, filters, ctx),
        counts.counts_by_grouping_sets(base, params, filters, ctx),
    )


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "none")
def test_grouping_sets_and_per_facet_counts_agree(catalogue, query):
    per_facet, grouping_sets = both_counts(query)
    assert grouping_sets == per_facet
    if query == {}:
        total, flags, facets = grouping_sets
        assert total == 54 and facets["visa"] and facets["state"] and facets["duration"]  # something was counted


def test_they_agree_for_every_pair_of_facet_filters(catalogue):
    picks = [
        ("kind", "rotation"),
        ("state", "IL"),
        ("hands_on", "observational"),
        ("visa", "j1"),
        ("duration", "5-8"),
        ("specialty", Specialty.objects.order_by("pk")[1].slug),
        ("open_now", "1"),
    ]
    for (a, va), (b, vb) in itertools.combinations(picks, 2):
        per_facet, grouping_sets = both_counts({a: va, b: vb})
        assert grouping_sets == per_facet, (a, b)


@pytest.mark.parametrize("query", [{}, {"eligible": "1"}, {"eligible": "1", "q": "medicine", "state": "IL"}])
def test_they_agree_with_the_eligibility_filter(catalogue, applicant, query):
    ApplicantProfile.objects.create(
        user=applicant, training_stage="graduate", graduation_year=2018, step1_result="", planned_visa="j1"
    )
    per_facet, grouping_sets = both_counts(query, user=applicant, extra=[ELIGIBLE_FILTER])
    assert grouping_sets == per_facet
    assert "eligible" in grouping_sets[1]


def test_the_eligibility_filter_for_a_visitor_counts_nothing_either_way(catalogue):
    for query in ({}, {"eligible": "1", "state": "IL"}):
        per_facet, grouping_sets = both_counts(query, extra=[ELIGIBLE_FILTER])
        assert grouping_sets == per_facet


def test_searches_that_differ_in_one_facet_share_that_facets_counts(catalogue):
    from django.test.utils import CaptureQueriesContext

    def run(query):
        with CaptureQueriesContext(connection) as queries:
            result = search.search_listings(search.parse_params(query))
        return result, [q["sql"] for q in queries.captured_queries if "GROUPING SETS" in q["sql"]]

    # Without a text (with one, the counts and the page are one read of its matches: test_one_pass).
    first, first_passes = run({"lor": "1", "state": "IL", "kind": "rotation"})
    assert len(first_passes) == 3  # the search; the states without the state; the types without the type
    # Another state, the same flag and type: the states' pass (flag + type) is the first search's.
    second, second_passes = run({"lor": "1", "state": "TX", "kind": "rotation"})
    assert len(second_passes) == 2

    def counted(values):
        return {v.value: v.count for v in values if v.count}

    assert counted(second.facets["state"]) == counted(first.facets["state"])
    expected = counts.counts_per_facet(  # the per-facet way, from scratch
        searched(None),
        filtered(searched(None), second.params, search.FILTERS, search.SearchContext(None, timezone.now())),
        second.params,
        search.FILTERS,
        search.SearchContext(None, timezone.now()),
    )
    assert (second.total, second.facets) == (expected[0], expected[2])
