"""The matcher and the alert sources cost the same number of queries for 2 saved searches or 60."""

import datetime as dt

import pytest

from alerts import matching
from notifications import kinds
from tests.alerts.factories import a_monday_at, applicant_in, publish, search

pytestmark = pytest.mark.django_db

T0 = a_monday_at(8, 0)


def _world(searches: int, at: dt.datetime = T0):
    for n in range(searches):
        owner = applicant_in()
        search(
            owner,
            ["state=TX", "state=OH&eligible=1", "q=cardiology", ""][n % 4],
            name="S",
            frequency=[
                "immediate",
                "daily",
                "weekly",
            ][n % 3],
        )
    matching.match_all(now=at)  # the cursors start here
    for n in range(5):
        publish(state=["TX", "OH"][n % 2], at=at + dt.timedelta(minutes=1), title=f"Cardiology {n}")


def test_the_matchers_queries_do_not_grow_with_the_saved_searches(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for searches, at in ((2, T0), (60, T0 + dt.timedelta(hours=1))):
        _world(searches, at)
        with CaptureQueriesContext(connection) as captured:
            result = matching.match_all(now=at + dt.timedelta(minutes=5))
        assert result.new_listing > 0
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 30


@pytest.mark.parametrize("searches", [3, 60])
def test_each_alert_source_costs_a_fixed_number_of_queries(searches, django_assert_max_num_queries):
    _world(searches)
    for code in ("saved_search_match", "window_open", "seats_free"):
        with django_assert_max_num_queries(20):
            rows = list(kinds.get(code).find_due(T0 + dt.timedelta(minutes=5)))
        if code == "saved_search_match":
            assert rows
