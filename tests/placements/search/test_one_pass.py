"""A text search on PostgreSQL is counted and paged in one read of its matches
(`counts.counts_and_page`): the same results, counts and order as the separate passes it replaces
(the grouping-sets count, a pass per facet with a filter, then the page's ids), in fewer queries.

A user would notice a difference as a listing missing or misplaced, or a facet count that does not
match the results it leads to."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applicants.models import ApplicantProfile
from applicants.search import ELIGIBLE_FILTER
from placements import search
from placements.models import Specialty
from placements.search import count_cache, counts
from tests.placements.search.test_count_paths import catalogue  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass count is PostgreSQL's"),
]

TEXTS = ["cardiology", "medicine", "surgery rotation", "pediatrics OR surgery", '"internal medicine"', "nothing-here"]
PICKS = {
    "state": ["IL", "TX", "NY", "CA", "WY"],
    "kind": ["rotation", "observership", "externship"],
    "visa": ["j1", "b1b2", "f1"],
    "duration": ["up-to-4", "5-8", "9-plus"],
    "hands_on": ["observational", "hands_on"],
    "open_now": ["1"],
    "lor": ["1"],
    "no_ecfmg": ["1"],
    "fee_max": ["2000"],
}
SORTS = ["relevance", "deadline", "fee", "start", "newest", "answers_fastest"]


def random_queries(n, *, eligible=False):
    rng = random.Random(21)
    specialties = list(Specialty.objects.order_by("pk").values_list("slug", flat=True)[:5])
    for _ in range(n):
        query = {"q": rng.choice(TEXTS), "sort": rng.choice(SORTS), "page": str(rng.choice([1, 1, 2, 3, 9]))}
        for param in rng.sample(list(PICKS), rng.randint(0, 4)):
            query[param] = rng.choice(PICKS[param])
        if rng.random() < 0.2:
            query["specialty"] = rng.choice(specialties)
        if eligible and rng.random() < 0.6:
            query["eligible"] = "1"
        yield query


def run(query, *, one_pass, monkeypatch, user=None, extra=()):
    """The search as the page runs it, its counts never cached, by one way or the other."""
    monkeypatch.setattr(counts, "one_pass_applies", lambda *args: one_pass and connection.vendor == "postgresql")
    count_cache.catalogue_changed()
    with CaptureQueriesContext(connection) as queries:
        result = search.search_listings(search.parse_params(query, extra), user=user, extra_filters=extra, page_size=7)
    seen = (
        result.total,
        result.flags,
        result.facets,
        result.page.number,
        [listing.pk for listing in result.page.object_list],
    )
    return seen, len(queries.captured_queries)


def test_the_same_results_counts_and_order_as_the_separate_passes(catalogue, monkeypatch):  # noqa: F811
    compared = 0
    for query in random_queries(60):
        separate, separate_queries = run(query, one_pass=False, monkeypatch=monkeypatch)
        one, one_queries = run(query, one_pass=True, monkeypatch=monkeypatch)
        assert one == separate, query
        assert one_queries <= separate_queries, query
        compared += bool(separate[0])
    assert compared > 20  # most searches found something to compare


def test_the_same_for_an_applicant_with_the_eligibility_filter(catalogue, applicant, monkeypatch):  # noqa: F811
    ApplicantProfile.objects.create(
        user=applicant, training_stage="graduate", graduation_year=2018, step1_result="", planned_visa="j1"
    )
    for query in random_queries(30, eligible=True):
        separate, _ = run(query, one_pass=False, monkeypatch=monkeypatch, user=applicant, extra=[ELIGIBLE_FILTER])
        one, _ = run(query, one_pass=True, monkeypatch=monkeypatch, user=applicant, extra=[ELIGIBLE_FILTER])
        assert one == separate, query


def statements(query):
    count_cache.catalogue_changed()
    with CaptureQueriesContext(connection) as queries:
        result = search.search_listings(search.parse_params(query))
    return result, ["WITH m AS MATERIALIZED" in q["sql"] for q in queries.captured_queries]


def test_a_text_is_counted_and_paged_in_one_statement(catalogue):  # noqa: F811
    # The counts and the page's ids in one statement, then the page's rows and their visas.
    result, one_pass = statements({"q": "medicine", "lor": "1", "sort": "fee"})
    assert one_pass == [True, False, False]
    assert result.total and result.facets["state"] and result.flags["no_ecfmg"].count <= result.total


@pytest.mark.parametrize("query", [{"q": "medicine", "state": "IL"}, {"q": "medicine", "open_now": "1"}, {"lor": "1"}])
def test_a_picked_facet_or_open_now_or_no_text_keeps_the_separate_passes(catalogue, query):  # noqa: F811
    # Measured: these read fewer rows apart (the search narrowed by its facet's index, index-only counts).
    _result, one_pass = statements(query)
    assert not any(one_pass)
