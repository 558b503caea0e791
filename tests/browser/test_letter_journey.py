"""The letter journey end to end: the applicant asks, the writer uploads through the e-mailed link,
the applicant assigns the letter and submits, and the coordinator reads it in the applicant packet."""

import re
from types import SimpleNamespace

import pytest
from django.core import mail
from playwright.sync_api import expect

from letters.models import LetterAccess
from tests.accounts.factories import PASSWORD
from tests.accounts.mfa import freeze_totp_clock, totp_code
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import DraftFactory
from tests.letters.conftest import make_pdf
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.browser


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if getattr(user, "totp_secret", None):  # coordinators have a second factor
        page.get_by_label("Code").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text(re.compile("Successfully signed in"))).to_be_visible()


@pytest.fixture
def journey(applicant, coordinator, institution, monkeypatch, settings, live_server):
    freeze_totp_clock(monkeypatch)
    settings.SITE_URL = live_server.url  # the e-mailed link must lead to this test server
    ApplicantProfileFactory(user=applicant)  # eligible: only the letter stands between draft and submission
    listing = ListingFactory(
        institution=institution, title="Internal Medicine Sub-Internship", min_letters=1, max_letters=2
    )
    draft = DraftFactory(applicant=applicant, session=SessionFactory(listing=listing))
    return SimpleNamespace(applicant=applicant, coordinator=coordinator, draft=draft)


def test_a_letter_goes_from_request_to_the_coordinators_packet(page, browser, live_server, tmp_path, journey):
    applicant, coordinator, draft = journey.applicant, journey.coordinator, journey.draft

    # The applicant asks, on a phone.
    log_in(page, applicant)
    page.get_by_text("Menu").click()
    page.get_by_role("navigation", name="Main").first.get_by_role("link", name="Letters").click()
    page.get_by_role("link", name="Ask for a letter").click()
    page.get_by_label("Writer's name").fill("Dr. Maria Delgado")
    page.get_by_label("Writer's e-mail address").fill("mdelgado@lakeshore-health.example.org")
    page.get_by_label("Writer's title").fill("Attending Physician, Internal Medicine")
    page.get_by_label("Writer's institution").fill("Lakeshore University Medical Center")
    page.get_by_label("How they know you").fill("Supervised me for four weeks on the inpatient medicine service.")
    page.get_by_label(re.compile("Yes, I waive my right")).check()
    page.get_by_role("button", name="Send the request").click()
    request_card = page.locator(".card", has_text="Dr. Maria Delgado")
    expect(request_card.get_by_text("Sent", exact=True)).to_be_visible()

    # The writer opens the link from the e-mail, with no account, on a phone, and uploads.
    link = re.search(r"https?://\S+/letters/write/\S+/", mail.outbox[-1].body).group(0)
    writer = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    writer.goto(link)
    expect(writer.get_by_role("heading", name="Letter of recommendation for Alice Applicant")).to_be_visible()
    assert writer.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )  # no sideways scrolling at 375 px
    pdf = tmp_path / "delgado-letter.pdf"
    pdf.write_bytes(make_pdf())
    writer.get_by_label("Your letter (PDF)").set_input_files(str(pdf))
    writer.get_by_role("button", name="Upload the letter").click()
    expect(writer.get_by_text("Thank you: your letter was received.")).to_be_visible()
    writer.context.close()

    # The applicant sees it uploaded (but may not read it: waived) and assigns it.
    page.reload()
    expect(request_card.get_by_text("Uploaded", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(request_card.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    page.get_by_role("link", name=re.compile(draft.session.listing.title)).click()
    page.get_by_label(re.compile("Dr. Maria Delgado")).check()
    page.get_by_role("button", name="Save the letters").click()
    expect(page.get_by_text("1 letter assigned")).to_be_visible()

    # ... and submits the application.
    page.goto(f"/applications/{draft.pk}/")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Application submitted")).to_be_visible()

    # The coordinator reads the letter in the applicant packet; the read is recorded.
    coordinator_page = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    log_in(coordinator_page, coordinator)
    coordinator_page.goto(f"/applications/queue/{draft.pk}/")
    letter_link = coordinator_page.get_by_role("link", name="Letter from Dr. Maria Delgado (PDF)")
    with coordinator_page.expect_download() as download:
        letter_link.click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF-")
    assert LetterAccess.objects.filter(reader=coordinator).count() == 1
    coordinator_page.context.close()
