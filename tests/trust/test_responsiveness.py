"""Responsiveness figures: computed from the portal's own records, stored on the rows, shown on the
listing and institution pages, in search results and the API, and matched by an independent count."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Institution, Listing
from tests.placements.factories import ListingFactory, SessionFactory
from tests.trust.history import history
from tests.trust.oracle import figures_by_listing
from trust.responsiveness import responsiveness_refresh
from trust.tasks import responsiveness_refresh_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(listing, institution):
    """Six decided applications (1, 2, 3, 10, 20, 30 days; two offered), one waiting 20 days, one
    submitted 3 days ago, one withdrawn undecided after 5 days, one from 400 days ago; a past session
    of 4 seats with one taken."""
    past = SessionFactory(
        listing=listing,
        seats=4,
        start_date=timezone.localdate() - dt.timedelta(days=100),
        applications_open_at=timezone.now() - dt.timedelta(days=300),
        applications_close_at=timezone.now() - dt.timedelta(days=130),
    )
    history(past, submitted_days_ago=200, moves=[(1, "offered"), (3, "accepted"), (4, "enrolled"), (50, "completed")])
    history(past, submitted_days_ago=190, moves=[(2, "waitlisted"), (9, "rejected")])
    history(past, submitted_days_ago=180, moves=[(1, "under_review"), (3, "rejected")])
    history(past, submitted_days_ago=170, moves=[(10, "offered"), (12, "declined")])
    history(past, submitted_days_ago=160, moves=[(20, "rejected")])
    history(past, submitted_days_ago=150, moves=[(5, "interview"), (30, "rejected")])
    history(past, submitted_days_ago=20, moves=[(2, "under_review")])
    history(past, submitted_days_ago=3, moves=[])
    history(past, submitted_days_ago=30, moves=[(5, "withdrawn")])
    history(past, submitted_days_ago=400, moves=[(1, "rejected")])
    return listing


def test_the_stored_figures_match_an_independent_count_from_the_raw_events(answered):
    now = timezone.now()
    responsiveness_refresh(now=now)
    expected = figures_by_listing(now)[answered.pk]
    answered.refresh_from_db()

    assert expected["decided"] == answered.responses_decided == 6
    assert answered.response_median_days == pytest.approx(expected["median_days"], abs=0.05) == 6.5
    assert (
        answered.response_within_14_share
        == pytest.approx(expected["within_14"], abs=0.001)
        == pytest.approx(4 / 7, abs=0.001)
    )
    assert (
        answered.response_offered_share
        == pytest.approx(expected["offered"], abs=0.001)
        == pytest.approx(2 / 6, abs=0.001)
    )
    assert answered.response_fill_rate == pytest.approx(expected["fill"], abs=0.001) == 0.25
    institution = Institution.objects.get(pk=answered.institution_id)
    assert institution.response_median_days == answered.response_median_days


def _shown(html: str, figure: str) -> str:
    return re.search(rf'data-figure="{figure}">([^<]+)<', html).group(1)


def test_the_listing_and_institution_pages_show_the_independently_counted_numbers(client, answered):
    now = timezone.now()
    responsiveness_refresh_task.apply()
    expected = figures_by_listing(now)[answered.pk]

    for url in (
        reverse("placements:listing", args=[answered.pk]),
        reverse("trust:institution", args=[answered.institution.slug]),
    ):
        html = client.get(url).content.decode()
        assert _shown(html, "median") == f"{round(expected['median_days'], 1):g} days"
        assert _shown(html, "within14") == f"{round(expected['within_14'] * 100)}%"
        assert _shown(html, "offered") == f"{round(expected['offered'] * 100)}%"
        assert _shown(html, "fill") == f"{round(expected['fill'] * 100)}%"
        assert "From 6 decided applications" in html


def test_below_five_decided_applications_nothing_is_shown_but_that(client, session):
    for days in (1, 2, 3, 4):
        history(session, submitted_days_ago=30, moves=[(days, "rejected")])
    responsiveness_refresh()
    listing = Listing.objects.get(pk=session.listing_id)

    assert listing.responses_decided == 4 and listing.response_median_days is None
    html = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()
    assert "Not enough applications yet" in html and 'data-figure="median"' not in html
    assert client.get(reverse("placements_api:listing_detail", args=[listing.pk])).json()["responsiveness"] is None


def test_figures_that_no_longer_have_data_are_cleared(answered):
    responsiveness_refresh()
    later = timezone.now() + dt.timedelta(days=400)
    responsiveness_refresh(now=later)
    answered.refresh_from_db()
    assert answered.responses_decided == 0 and answered.response_median_days is None


def _listing_answering_in(institution, days: float, title: str) -> Listing:
    listing = ListingFactory(institution=institution, title=title)
    session = SessionFactory(listing=listing)
    for i in range(5):
        history(session, submitted_days_ago=60, moves=[(days + i * 0.01, "rejected")])
    return listing


def test_search_sorts_by_answers_fastest_and_filters_answers_within_two_weeks(client, institution):
    slow = _listing_answering_in(institution, 30, "Slow Cardiology Observership")
    fast = _listing_answering_in(institution, 2, "Fast Nephrology Rotation")
    medium = _listing_answering_in(institution, 9, "Medium Neurology Rotation")
    unknown = ListingFactory(institution=institution, title="Quiet Dermatology Observership")
    responsiveness_refresh()

    sorted_page = client.get(reverse("placements:search"), {"sort": "answers_fastest"}).content.decode()
    positions = [sorted_page.index(listing.title) for listing in (fast, medium, slow, unknown)]
    assert positions == sorted(positions)
    assert "Answers in ~2 days" in sorted_page

    filtered = client.get(reverse("placements:search"), {"answers_2w": "1"}).content.decode()
    assert fast.title in filtered and medium.title in filtered
    assert slow.title not in filtered and unknown.title not in filtered

    api = client.get(reverse("placements_api:listing_search"), {"sort": "answers_fastest", "answers_2w": "1"}).json()
    assert [r["id"] for r in api["results"]] == [fast.pk, medium.pk]
    assert api["results"][0]["responsiveness"]["median_days_to_decision"] == pytest.approx(2.0, abs=0.1)


def test_the_institution_api_answers_null_below_the_threshold(client, institution):
    assert client.get(reverse("trust_api:institution", args=[institution.pk])).json()["responsiveness"] is None
