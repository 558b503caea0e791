"""Issue 11, item 6: two applicants and a coordinator rank in Chromium, the round publishes
through its beat task, and each sees the result the deferred-acceptance engine gives."""

import datetime as dt

import pytest
from allauth.mfa.totp.internal import auth as totp_auth
from django.utils import timezone
from playwright.sync_api import expect

from rounds.engine import run_match
from rounds.models import Round
from rounds.selectors import round_match_input
from rounds.tasks import rounds_publish_due_task
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.mfa import freeze_totp_clock, totp_code
from tests.applications.factories import ApplicationFactory, ensure_seeded_specialty, reseed_after_module_flush
from tests.placements.factories import CoordinatorFactory, InstitutionFactory, ListingFactory, SessionFactory
from tests.rounds.factories import RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module", autouse=True)
def _reseed(django_db_setup, django_db_blocker):
    yield from reseed_after_module_flush(django_db_blocker)


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if getattr(user, "totp_secret", None):  # coordinators have a second factor
        # Each sign-in in its own 30-second window: allauth refuses a code used before (replay).
        totp_auth.time.at += 30
        page.get_by_label("Code").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Successfully signed in")).to_be_visible()


@pytest.fixture
def match(monkeypatch):
    freeze_totp_clock(monkeypatch)
    ensure_seeded_specialty()
    institution = InstitutionFactory(name="Lakeshore University Medical Center", city="Chicago", state="IL")
    coordinator = CoordinatorFactory(email="carol@example.org", full_name="Carol Coordinator", institution=institution)
    cardiology = SessionFactory(listing=ListingFactory(institution=institution, title="Cardiology Elective"), seats=1)
    medicine = SessionFactory(
        listing=ListingFactory(institution=institution, title="Internal Medicine Rotation"), seats=1
    )
    alice = UserFactory(email="alice@example.org", full_name="Alice Okafor")
    bob = UserFactory(email="bob@example.org", full_name="Bob Raman")
    for user in (alice, bob):
        for session in (cardiology, medicine):
            ApplicationFactory(applicant=user, session=session)
    round = RoundFactory(name="July electives match", sessions=[cardiology, medicine])
    return round, coordinator, alice, bob


def rows(page):
    return page.locator("[data-rank-row] .rank-name")


def test_two_applicants_and_a_coordinator_rank_and_each_sees_the_engines_result(page, match):
    round, coordinator, alice, bob = match

    # Alice types her positions (Cardiology first) and saves.
    log_in(page, alice)
    page.goto("/rounds/")
    page.get_by_role("link", name="July electives match").click()
    page.get_by_label("Position of Cardiology Elective").fill("1")
    page.get_by_label("Position of Internal Medicine Rotation").fill("2")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_text("Your rank list is saved (2 ranked).")).to_be_visible()
    expect(rows(page)).to_have_text([re_start("Cardiology Elective"), re_start("Internal Medicine Rotation")])

    # Bob first types a tie: refused, and what he typed is still there.
    log_in(page, bob)
    page.goto(f"/rounds/{round.pk}/")
    page.get_by_label("Position of Cardiology Elective").fill("1")
    page.get_by_label("Position of Internal Medicine Rotation").fill("1")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_text("Ties are not allowed")).to_be_visible()
    expect(page.get_by_label("Position of Internal Medicine Rotation")).to_have_value("1")
    # Then he orders with the keyboard: Medicine to the top with its Up button, Enter, save.
    page.get_by_label("Position of Cardiology Elective").fill("1")
    page.get_by_label("Position of Internal Medicine Rotation").fill("2")
    page.get_by_role("button", name="Move up: Internal Medicine Rotation").focus()
    page.keyboard.press("Enter")
    expect(rows(page).first).to_have_text(re_start("Internal Medicine Rotation"))
    expect(page.get_by_label("Position of Internal Medicine Rotation")).to_have_value("1")
    expect(page.get_by_label("Position of Cardiology Elective")).to_have_value("2")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_text("Your rank list is saved (2 ranked).")).to_be_visible()
    expect(rows(page).first).to_have_text(re_start("Internal Medicine Rotation"))

    # The coordinator prefers Bob for Cardiology (drag him above Alice) and Alice for Medicine.
    log_in(page, coordinator)
    page.goto("/rounds/coordinate/")
    page.get_by_role("link", name="July electives match").click()
    page.get_by_role("link", name=re_start("Cardiology Elective")).click()
    page.get_by_label("Position of Alice Okafor").fill("1")
    page.get_by_label("Position of Bob Raman").fill("2")
    page.locator("[data-rank-row]", has_text="Bob Raman").drag_to(
        page.locator("[data-rank-row]", has_text="Alice Okafor")
    )
    expect(page.get_by_label("Position of Bob Raman")).to_have_value("1")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_text("Your rank list is saved (2 ranked).")).to_be_visible()
    page.get_by_role("link", name="← July electives match").click()
    page.get_by_role("link", name=re_start("Internal Medicine Rotation")).click()
    page.get_by_label("Position of Alice Okafor").fill("1")
    page.get_by_label("Position of Bob Raman").fill("2")
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_text("Your rank list is saved (2 ranked).")).to_be_visible()

    # The deadline and publication time pass; the beat task publishes the round.
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(
        rank_deadline=now - dt.timedelta(minutes=2), publish_at=now - dt.timedelta(minutes=1)
    )
    data = round_match_input(round=round)
    expected = run_match(
        applicant_ranks=data.applicant_ranks, session_ranks=data.session_ranks, capacities=data.capacities
    ).assignment
    assert rounds_publish_due_task.apply().result == 1

    titles = {s.pk: s.listing.title for s in round.sessions.select_related("listing")}
    for user in (alice, bob):
        log_in(page, user)
        page.goto(f"/rounds/{round.pk}/")
        if user.pk in expected:
            expect(page.get_by_text(f"You matched to {titles[expected[user.pk]]}")).to_be_visible()
            page.get_by_role("link", name="Answer the offer").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(titles[expected[user.pk]])
        else:
            expect(page.get_by_text("You did not match in this round.")).to_be_visible()

    log_in(page, coordinator)
    page.goto(f"/rounds/coordinate/{round.pk}/")
    expect(page.get_by_text(f"{len(expected)} matched, {2 - len(expected)} unmatched")).to_be_visible()


def re_start(text):
    import re

    return re.compile("^" + re.escape(text))
