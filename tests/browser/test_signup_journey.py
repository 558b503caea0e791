"""A visitor signs up, verifies the address from the captured e-mail, logs in and out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_visitor_signs_up_verifies_logs_in_and_logs_out(page):
    page.goto("/")
    page.get_by_text("Menu").click()
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Email").fill("priya.raman@example.org")
    page.get_by_label("Full name").fill("Priya Raman")
    page.get_by_label("Password:", exact=True).fill("Rotation-2027!")
    page.get_by_label("Password (again)").fill("Rotation-2027!")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Email").fill("priya.raman@example.org")
    page.get_by_label("Password:", exact=True).fill("Rotation-2027!")
    page.get_by_role("button", name="Sign In").click()

    page.get_by_text("Menu").click()
    nav = page.get_by_role("navigation", name="Main").first
    expect(nav.get_by_role("link", name="Account")).to_be_visible()
    expect(nav.get_by_role("link", name="Institution team")).to_have_count(0)

    nav.get_by_role("button", name="Sign out").click()
    page.get_by_text("Menu").click()
    expect(page.get_by_role("navigation", name="Main").first.get_by_role("link", name="Sign in")).to_be_visible()
