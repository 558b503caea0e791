"""The trust features end to end in Chromium: an applicant sorts by how fast programmes answer (the
numbers shown are recounted from the raw events), a coordinator confirms a listing from the 90-day
e-mail, a report goes from applicant to admin to resolution, a visa letter is issued, verified and
revoked when the applicant withdraws."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from placements.models import Listing
from tests.accounts.factories import AdminFactory
from tests.accounts.mfa import freeze_totp_clock
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory
from tests.browser.test_letter_journey import log_in
from tests.placements.factories import ListingFactory, SessionFactory
from tests.trust.history import history
from tests.trust.oracle import figures_by_listing
from trust.models import ListingReport, VisaLetter
from trust.tasks import freshness_reminders_task, responsiveness_refresh_task

pytestmark = pytest.mark.browser


@pytest.fixture
def listing(institution):
    return ListingFactory(institution=institution, title="Internal Medicine Sub-Internship")


def _answering(institution, title: str, days: list[float], offered: int = 1) -> Listing:
    listing = ListingFactory(institution=institution, title=title)
    session = SessionFactory(listing=listing)
    for i, wait in enumerate(days):
        history(session, submitted_days_ago=60 + i, moves=[(wait, "offered" if i < offered else "rejected")])
    return listing


def test_an_applicant_sorts_by_answers_fastest_and_sees_the_recounted_numbers(page, applicant, institution):
    slow = _answering(institution, "Cardiology Observership", [20, 25, 31, 40, 45])
    fast = _answering(institution, "Nephrology Rotation", [1, 2, 3, 4, 12, 30], offered=2)
    quiet = _answering(institution, "Dermatology Elective", [3, 4])  # too few to say
    responsiveness_refresh_task.apply()
    expected = figures_by_listing(timezone.now())

    log_in(page, applicant)
    page.goto("/placements/")
    page.get_by_label("Sort by").select_option(label="Answers fastest")
    expect(page).to_have_url(re.compile(r"sort=answers_fastest"))
    titles = page.locator(".result-list h3").all_inner_texts()
    assert titles.index(fast.title) < titles.index(slow.title) < titles.index(quiet.title)
    fast_card = page.locator(".listing-card", has_text=fast.title)
    expect(fast_card.get_by_test_id("answers-in")).to_have_text(
        f"Answers in ~{round(expected[fast.pk]['median_days'])} days"
    )

    page.get_by_text("Filters").click()
    page.get_by_label(re.compile("Answers within 2 weeks")).check()
    expect(page).to_have_url(re.compile(r"answers_2w=1"))
    expect(page.locator(".result-list h3")).to_have_text([fast.title])

    page.get_by_role("link", name=fast.title).click()
    figures = expected[fast.pk]
    expect(page.locator('[data-figure="median"]')).to_have_text(f"{round(figures['median_days'], 1):g} days")
    expect(page.locator('[data-figure="within14"]')).to_have_text(f"{round(figures['within_14'] * 100)}%")
    expect(page.locator('[data-figure="offered"]')).to_have_text(f"{round(figures['offered'] * 100)}%")
    page.goto(f"/placements/{quiet.pk}/")
    expect(page.get_by_text("Not enough applications yet")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_coordinator_confirms_a_listing_from_the_90_day_email(page, coordinator, monkeypatch, settings, live_server):
    freeze_totp_clock(monkeypatch)
    settings.SITE_URL = live_server.url
    listing = ListingFactory(institution=coordinator.memberships.get().institution, title="Pediatrics Observership")
    Listing.objects.filter(pk=listing.pk).update(last_verified_on=timezone.localdate() - dt.timedelta(days=200))

    freshness_reminders_task.apply()
    link = re.search(r"https?://\S+/trust/listings/\d+/confirm/", mail.outbox[-1].body).group(0)

    log_in(page, coordinator)
    page.goto(link)
    expect(page.get_by_role("heading", name="Are these details still right?")).to_be_visible()
    page.get_by_role("button", name="Confirm the details are current").click()
    expect(page.get_by_role("heading", level=1, name="Pediatrics Observership")).to_be_visible()
    expect(page.get_by_test_id("confirmed")).to_contain_text(f"{timezone.localdate():%-d %b %Y}")
    expect(page.get_by_test_id("stale")).to_have_count(0)


def test_a_report_goes_from_applicant_to_admin_to_resolution(
    browser, page, live_server, applicant, coordinator, listing, monkeypatch
):
    freeze_totp_clock(monkeypatch)
    log_in(page, applicant)
    page.goto(f"/placements/{listing.pk}/")
    page.get_by_role("link", name="Report wrong information").click()
    page.get_by_label("What is wrong").select_option(label="Costs and fees")
    page.get_by_label("Short note").fill("The programme fee is $3,000 on their website.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("The programme and our admins have been told")).to_be_visible()
    assert ListingReport.objects.get().status == "open"
    assert any("The programme fee is $3,000" in m.body for m in mail.outbox if coordinator.email in m.to)

    admin = AdminFactory(email="erin@example.org")
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    log_in(staff, admin)
    staff.goto("/trust/reports/")
    card = staff.get_by_test_id("open-report").filter(has_text="The programme fee is $3,000")
    card.get_by_label("Outcome").select_option(label="Corrected")
    card.get_by_label("What was done").fill("Fee updated with the programme.")
    card.get_by_role("button", name="Resolve").click()
    expect(staff.get_by_text("Report resolved.")).to_be_visible()
    expect(staff.get_by_text("No open reports.")).to_be_visible()
    staff.context.close()

    page.goto(f"/placements/{listing.pk}/")
    resolved = ListingReport.objects.get()
    expect(page.get_by_test_id("corrected")).to_have_text(
        f"A correction was made after a report on {timezone.localtime(resolved.resolved_at):%-d %b %Y}."
    )


def test_a_visa_letter_is_issued_verified_and_revoked_when_the_applicant_withdraws(
    browser, page, applicant, coordinator, listing, monkeypatch
):
    freeze_totp_clock(monkeypatch)
    ApplicantProfileFactory(user=applicant)
    accepted = ApplicationFactory(applicant=applicant, session=SessionFactory(listing=listing), status="accepted")

    log_in(page, coordinator)
    page.goto(f"/applications/queue/{accepted.pk}/")
    page.get_by_role("link", name="Visa invitation letter").click()
    page.get_by_role("link", name="Letterhead and signatory").click()
    page.get_by_label("Letterhead").fill("Lakeshore University Medical Center\n1 Lake Shore Drive, Chicago IL")
    page.get_by_label("Signed by (name)").fill("Dr. Grace Hopper")
    page.get_by_label("Signatory's title").fill("Designated Institutional Official")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Visa invitation letter")).to_be_visible()
    page.get_by_label("Passport number").fill("A1234567")
    page.get_by_role("button", name="Issue the letter").click()
    letter = VisaLetter.objects.get()
    expect(page.get_by_text(f"Visa letter {letter.code} issued.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"visa-letter-{letter.code}.pdf"

    # A consular officer, signed in nowhere, types the code.
    page.context.clear_cookies()
    page.goto("/trust/verify/")
    page.get_by_label("Verification code").fill(letter.code.lower())
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("letter-state")).to_have_text("Valid")
    expect(page.get_by_text("invited Alice Applicant")).to_be_visible()
    expect(page.get_by_text("A1234567")).to_have_count(0)

    # The applicant withdraws: the letter no longer stands.
    log_in(page, applicant)
    page.goto(f"/applications/{accepted.pk}/")
    page.get_by_role("button", name="Withdraw my application").click()
    expect(page.get_by_text("You withdrew your application.")).to_be_visible()
    page.context.clear_cookies()
    page.goto(f"/trust/verify/{letter.code}/")
    expect(page.get_by_test_id("letter-state")).to_have_text("Revoked")
