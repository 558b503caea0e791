"""The demo applicant has two saved searches and an alert waiting in the notification centre."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts import demo as account_demo
from alerts.demo import NEW_LISTING, SEARCHES
from alerts.models import Alert, SavedSearch
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--listings", "40", verbosity=0)
    return account_demo.ensure_demo_user(account_demo.APPLICANT)


def _counts():
    return SavedSearch.objects.count(), Alert.objects.count(), Notification.objects.count()


def test_the_demo_applicant_finds_their_saved_searches_and_the_alert(client, demo):
    assert sorted(SavedSearch.objects.filter(owner=demo).values_list("name", flat=True)) == sorted(
        name for name, _qs, _f in SEARCHES
    )
    alert = Alert.objects.get(owner=demo)
    assert (alert.listing.title, alert.saved_search.name) == (NEW_LISTING, "Cardiology in Illinois")

    client.force_login(demo)
    searches = client.get(reverse("alerts:list")).content.decode()
    centre = client.get(reverse("notifications:list")).content.decode()

    assert "Cardiovascular Disease · Illinois" in searches
    assert f"New listing for “Cardiology in Illinois”: {NEW_LISTING}" in centre


def test_loading_the_demo_again_adds_no_search_alert_or_message(demo, django_capture_on_commit_callbacks):
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--listings", "40", verbosity=0)
    assert _counts() == before
