"""A listing is looked at again by the run after the one that found it (the overlap): what that
look adds, and what it must not repeat; and the text of a search is parsed once, when saved."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, SavedSearch
from tests.alerts.factories import a_monday_at, applicant_in, publish, search
from tests.placements.factories import SessionFactory

pytestmark = pytest.mark.django_db

T0 = a_monday_at(6, 0)
MINUTE = dt.timedelta(minutes=1)


def test_a_session_added_just_after_publication_reaches_its_month_on_the_next_look_and_no_one_twice(tick):
    later = timezone.localdate() + dt.timedelta(days=200)
    anyone, june_only = applicant_in(), applicant_in()
    search(anyone, "state=TX", name="Texas")
    search(june_only, f"state=TX&start_month={later:%Y-%m}", name="That month")
    tick(T0)
    listing = publish(state="TX", at=T0 + MINUTE)

    tick(T0 + 5 * MINUTE)
    assert list(Alert.objects.values_list("owner_id", flat=True)) == [anyone.pk]

    SessionFactory(listing=listing, start_date=later)  # added while the listing is still in the overlap
    tick(T0 + 10 * MINUTE)
    tick(T0 + 15 * MINUTE)

    assert sorted(Alert.objects.values_list("owner_id", "listing_id")) == [
        (anyone.pk, listing.pk),
        (june_only.pk, listing.pk),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the parse is PostgreSQL's")
def test_a_text_is_parsed_once_when_saved_and_a_search_saved_without_its_parse_still_matches(tick):
    saved_now, saved_before = applicant_in(), applicant_in()
    mine = search(saved_now, "q=cardiology surgery", name="Both")
    theirs = search(saved_before, "q=cardiology surgery", name="Both")
    SavedSearch.objects.filter(pk=theirs.pk).update(text_query=None)  # as saved before the column
    assert mine.text_query == "'cardiolog' & 'surgeri'"
    tick(T0)
    both = publish(state="TX", at=T0 + MINUTE, title="Cardiology and surgery rotation")
    publish(state="TX", at=T0 + MINUTE, title="Cardiology observership")

    tick(T0 + 5 * MINUTE)

    assert sorted(Alert.objects.values_list("owner_id", "listing_id")) == sorted(
        [(saved_now.pk, both.pk), (saved_before.pk, both.pk)]
    )
