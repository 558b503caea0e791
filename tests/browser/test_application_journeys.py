"""The two journeys of issue 5, in Chromium at phone and desktop widths.

1. An applicant applies (draft autosaves, submission checks), then tracks the state as it moves.
2. A coordinator filters the queue, scores, invites to interview and offers; the applicant accepts.
"""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application, Score
from applications.services import application_move
from applications.states import Actor, Status
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.mfa import freeze_totp_clock, totp_code
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import (
    ApplicationFactory,
    QuestionFactory,
    ensure_seeded_specialty,
    reseed_after_module_flush,
)
from tests.placements.factories import CoordinatorFactory, InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, email, totp_secret=None):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:  # coordinators have a second factor (accounts.middleware)
        page.get_by_label("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Successfully signed in")).to_be_visible()


def log_out(page):
    page.context.clear_cookies()


@pytest.fixture(scope="module", autouse=True)
def _reseed(django_db_setup, django_db_blocker):
    yield from reseed_after_module_flush(django_db_blocker)


@pytest.fixture
def programme():
    ensure_seeded_specialty()
    institution = InstitutionFactory(name="Lakeshore University Medical Center", city="Chicago", state="IL")
    coordinator = CoordinatorFactory(email="carol@example.org", full_name="Carol Coordinator", institution=institution)
    listing = ListingFactory(institution=institution, title="Internal Medicine Sub-Internship")
    session = SessionFactory(listing=listing, seats=2)
    QuestionFactory(listing=listing, prompt="Which EMR have you used?")
    return coordinator, session


def test_an_applicant_applies_and_tracks_the_state(page, programme):
    coordinator, session = programme
    applicant = UserFactory(email="amina@example.org", full_name="Amina Okafor")
    ApplicantProfileFactory(user=applicant)
    log_in(page, applicant.email)

    page.goto(f"/placements/{session.listing.pk}/")
    page.get_by_role("link", name=re.compile("Apply to the session starting")).click()
    expect(page.get_by_text("You meet this programme's requirements.")).to_be_visible()
    page.get_by_role("button", name="Start my application").click()

    # Submitting too early lists what is missing, by name.
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Write your personal statement.")).to_be_visible()
    expect(page.get_by_text("Answer the question: “Which EMR have you used?”")).to_be_visible()

    # The draft saves itself while typing (htmx), so a dropped connection loses nothing.
    page.get_by_label("Personal statement").fill(
        "Two years on the medical wards at Lagos University Teaching Hospital."
    )
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    draft = Application.objects.get(applicant=applicant)
    page.goto(f"/applications/{draft.pk}/")
    expect(page.get_by_label("Personal statement")).to_have_value(re.compile("Two years on the medical wards"))

    page.get_by_label("Which EMR have you used?").fill("Epic and OpenMRS")
    # Let the autosave land first: the test server's in-memory SQLite cannot run two writers at once.
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Application submitted.")).to_be_visible()
    expect(page.locator(".badge", has_text="Submitted").first).to_be_visible()

    application = Application.objects.get(applicant=applicant)
    application_move(
        application_id=application.pk,
        to_status=Status.UNDER_REVIEW,
        actor=coordinator,
        role=Actor.COORDINATOR,
        message="Thank you, we are reading your file.",
    )

    page.get_by_text("Menu").click()
    page.get_by_role("link", name="My applications").first.click()
    expect(page.get_by_text("Under review")).to_be_visible()
    expect(page.get_by_text("Wait for the programme's decision")).to_be_visible()
    page.get_by_role("link", name="Internal Medicine Sub-Internship").click()
    expect(page.get_by_text("Submitted → Under review")).to_be_visible()
    expect(page.get_by_text("Thank you, we are reading your file.")).to_be_visible()


def test_a_coordinator_filters_scores_invites_offers_and_the_applicant_accepts(desktop_page, programme, monkeypatch):
    freeze_totp_clock(monkeypatch)
    page = desktop_page
    coordinator, session = programme
    amina = ApplicationFactory(
        session=session, applicant__email="amina@example.org", applicant__full_name="Amina Okafor"
    )
    ApplicantProfileFactory(user=amina.applicant)
    ApplicationFactory(session=session, applicant__full_name="Rahul Mehta", status=Status.UNDER_REVIEW)
    log_in(page, coordinator.email, coordinator.totp_secret)

    page.get_by_role("link", name="Applicant queue").first.click()
    page.get_by_text("Filter and search").click()
    page.get_by_label("State").select_option("submitted")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Amina Okafor")
    page.get_by_role("link", name="Amina Okafor").click()

    page.get_by_label("Clinical readiness").select_option("4")
    page.get_by_label("Fit with the programme").select_option("5")
    page.get_by_role("button", name="Save my scores").click()
    expect(page.get_by_text("Scores saved.")).to_be_visible()
    assert Score.objects.filter(application=amina, scorer=coordinator).count() == 2

    page.get_by_label("Move to").select_option("interview")
    page.get_by_label("Message to the applicant").fill("Please book an interview time.")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved to “Interview”.")).to_be_visible()

    page.get_by_label("Move to").select_option("offered")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved to “Offered”.")).to_be_visible()
    expect(page.get_by_text("offer open until")).to_be_visible()

    log_out(page)
    log_in(page, "amina@example.org")
    page.get_by_role("link", name="My applications").first.click()
    expect(page.get_by_text("Accept or decline the offer")).to_be_visible()
    page.get_by_role("link", name="Internal Medicine Sub-Internship").click()
    page.get_by_role("button", name="Accept the offer").click()
    expect(page.get_by_text("You accepted the offer.")).to_be_visible()
    expect(page.get_by_role("heading", name="Pre-arrival checklist")).to_be_visible()
    amina.refresh_from_db()
    assert amina.status == Status.ACCEPTED
