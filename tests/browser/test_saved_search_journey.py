"""An applicant on a phone saves a search from the results page, a matching listing is published,
the reminders tick runs, and the applicant finds the alert in the notification centre."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import Alert, SavedSearch
from notifications.tasks import reminders_tick_task
from tests.alerts.factories import publish
from tests.applicants.factories import ApplicantProfileFactory
from tests.browser.test_letter_journey import log_in
from tests.placements.factories import InstitutionFactory, ListingFactory

pytestmark = pytest.mark.browser


def test_an_applicant_saves_a_search_and_finds_its_alert_in_the_notification_centre(page, applicant):
    ApplicantProfileFactory(user=applicant, time_zone="America/Chicago")
    ListingFactory(institution=InstitutionFactory(state="TX"), title="Family Medicine Observership")

    log_in(page, applicant)
    page.goto("/placements/")
    expect(page.get_by_text("then save the search")).to_be_visible()
    page.get_by_text("Filters").click()
    page.get_by_label("State").select_option("TX")
    expect(page).to_have_url(re.compile(r"state=TX"))

    # The control followed the filters (htmx, out of band): named after them, opened from the keyboard.
    summary = page.locator("#save-search summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Name")).to_have_value("Texas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("Name").fill("Rotations in Texas")
    page.get_by_label("Tell me").select_option(label="At once")
    page.get_by_role("button", name="Save search").dblclick()
    expect(page.get_by_text("Search saved: “Rotations in Texas”")).to_be_visible()
    saved = SavedSearch.objects.get(owner=applicant)
    assert (saved.querystring, saved.frequency) == ("state=TX", "immediate")

    page.get_by_role("link", name="My saved searches").click()
    expect(page.get_by_role("heading", name="Rotations in Texas")).to_be_visible()
    expect(page.locator(".saved-search-frequency")).to_have_text("Tell me: at once")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # A programme publishes a listing in Texas (and one in Ohio, which this search never hears of).
    texas = publish(state="TX", at=timezone.now(), title="Cardiology Sub-Internship in Houston")
    publish(state="OH", at=timezone.now(), title="Cardiology Sub-Internship in Columbus")
    reminders_tick_task.apply()
    assert list(Alert.objects.filter(owner=applicant).values_list("listing_id", flat=True)) == [texas.pk]

    page.goto("/notifications/")
    alert = page.locator(".notification", has_text="Cardiology Sub-Internship in Houston")
    expect(alert).to_contain_text("Rotations in Texas")
    expect(page.locator(".notification", has_text="Columbus")).to_have_count(0)
    alert.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name="Cardiology Sub-Internship in Houston")).to_be_visible()
