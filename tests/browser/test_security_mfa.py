"""A new coordinator signs in, is made to set up an authenticator app, and only then reaches the
institution pages; the next sign-in asks for a code."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD
from tests.accounts.mfa import freeze_totp_clock, totp_code
from tests.placements.factories import CoordinatorFactory

pytestmark = pytest.mark.browser


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_coordinator_sets_up_totp_before_reaching_the_team_page(page, monkeypatch):
    freeze_totp_clock(monkeypatch)
    coordinator = CoordinatorFactory(email="new.coordinator@example.org", mfa=False)

    refused = []
    page.on("response", lambda response: response.status == 403 and refused.append(response.url))
    sign_in(page, coordinator.email)
    page.goto("/placements/team/")

    expect(page.get_by_text("set up two-factor authentication to continue")).to_be_visible()
    # One password prompt: the login just made is the confirmation, no "Confirm access" page.
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    # During set-up the menu offers only the account pages, and nothing on the page is refused.
    nav = page.get_by_role("navigation", name="Main").last
    expect(nav.get_by_role("link", name="Applicant queue")).to_have_count(0)
    expect(nav.get_by_role("link", name="Programme dashboard")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert refused == []
    secret = page.get_by_label("Authenticator secret").input_value()
    expect(page.get_by_role("img", name=secret)).to_be_visible()  # the QR code (a data: image CSP allows)

    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()

    page.goto("/placements/team/")
    expect(page.get_by_role("heading", name="Institution team")).to_be_visible()

    # Next time the password alone is not enough.
    page.context.clear_cookies()
    sign_in(page, coordinator.email)
    page.goto("/placements/team/")
    expect(page.get_by_role("heading", name="Institution team")).not_to_be_visible()  # not in yet
    page.goto("/accounts/2fa/authenticate/")
    expect(page.get_by_label("Code")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.goto("/placements/team/")
    expect(page.get_by_role("heading", name="Institution team")).to_be_visible()
