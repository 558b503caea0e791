"""On a 375 px phone: the bell shows the unread count, a reminder opens its listing, the count drops."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.browser


def test_an_applicant_follows_a_reminder_from_the_bell_on_a_phone(page):
    applicant = UserFactory(email="amina@example.org", full_name="Amina Okafor")
    NotificationFactory(
        recipient=applicant,
        title="Applications for Cardiology Observership close soon",
        url="/notifications/preferences/",
    )
    NotificationFactory(recipient=applicant, title="Your Passport expires on 31 Mar 2027")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(applicant.email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    bell = page.get_by_role("link", name="Notifications 2 unread")
    expect(bell).to_be_visible()
    bell.click()
    page.get_by_role("link", name="Applications for Cardiology Observership close soon").click()

    expect(page.get_by_role("heading", name="Reminder settings")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
