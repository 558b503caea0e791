"""Every page of the journeys, for each role, at 1280 px and 375 px: axe-core finds no serious or
critical WCAG 2.2 AA violation. Plus a keyboard-only journey: applying with Tab, Enter and Space."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from accounts import demo as account_demo
from alerts.models import SavedSearch
from applications.models import Application
from applications.states import Status
from placements.models import Listing
from rounds.models import Round
from tests.accounts.factories import UserFactory
from tests.accounts.mfa import give_totp
from tests.applicants.factories import ApplicantProfileFactory, add_document
from tests.applications.factories import QuestionFactory, ensure_seeded_specialty, reseed_after_module_flush
from tests.browser.axe import audit, require_axe
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTHS = (1280, 375)


@pytest.fixture(scope="module", autouse=True)
def _reseed(django_db_setup, django_db_blocker):
    yield from reseed_after_module_flush(django_db_blocker)


@pytest.fixture
def demo(live_server, settings):
    require_axe()
    ensure_seeded_specialty()
    settings.SITE_URL = live_server.url
    call_command("seed_demo", "--listings", "40", verbosity=0)
    for login in (account_demo.COORDINATOR, account_demo.ADMIN):
        give_totp(account_demo.ensure_demo_user(login))


def _signed_in(browser, live_server, user, width: int):
    """A browser context holding `user`'s session (the login pages are audited signed out)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        # axe is injected as a script tag: the portal's CSP (rightly) refuses it otherwise.
        bypass_csp=True,
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def _pages(role: str) -> list[str]:
    listing = Listing.objects.filter(status="published").order_by("pk").first()
    if role == "anonymous":
        return ["/", "/placements/", f"/placements/{listing.pk}/", "/accounts/login/", "/accounts/signup/"]
    if role == "applicant":
        applicant = account_demo.ensure_demo_user(account_demo.APPLICANT)
        own = [
            f"/applications/{pk}/"
            for pk in Application.objects.filter(applicant=applicant).values_list("pk", flat=True)
        ]
        return [
            "/",
            "/placements/?specialty=internal-medicine",
            f"/placements/{listing.pk}/",
            "/applicants/profile/",
            "/applicants/profile/preferences/",
            "/applicants/documents/",
            "/applicants/documents/upload/",
            "/applicants/matches/",
            "/applicants/saved/",
            "/saved-searches/",
            *(
                f"/saved-searches/{pk}/delete/"
                for pk in SavedSearch.objects.filter(owner=applicant).values_list("pk", flat=True)[:1]
            ),
            "/applications/",
            *own,
            "/letters/",
            "/letters/new/",
            "/notifications/",
            "/notifications/preferences/",
            "/rounds/",
        ]
    if role == "coordinator":
        coordinator = account_demo.ensure_demo_user(account_demo.COORDINATOR)
        queue = Application.objects.for_coordinator(coordinator)
        packets = {status: pk for pk, status in queue.values_list("pk", "status")}
        listing = Listing.objects.filter(institution_id__in=coordinator.coordinator_institution_ids).first()
        return [
            "/applications/queue/",
            *(f"/applications/queue/{pk}/" for status, pk in sorted(packets.items()) if status != Status.DRAFT),
            "/applications/coordinate/",
            "/placements/manage/",
            f"/placements/manage/{listing.pk}/",
            "/placements/team/",
            "/rounds/coordinate/",
            *_round_pages(coordinator),
        ]
    return ["/placements/moderation/", "/placements/moderation/?status=published", "/rounds/coordinate/"]


def _round_pages(coordinator) -> list[str]:
    """Each of the institution's rounds, and the edit and cancel pages of those still open."""
    pages = []
    for pk, status in Round.objects.filter(institution_id__in=coordinator.coordinator_institution_ids).values_list(
        "pk", "status"
    ):
        pages.append(f"/rounds/coordinate/{pk}/")
        if status == Round.Status.OPEN:
            pages += [f"/rounds/coordinate/{pk}/edit/", f"/rounds/coordinate/{pk}/cancel/"]
    return pages


@pytest.mark.parametrize("role", ["anonymous", "applicant", "coordinator", "admin"])
def test_every_page_of_the_journeys_passes_axe_at_desktop_and_phone_width(browser, live_server, demo, role):
    user = None
    if role != "anonymous":
        user = account_demo.ensure_demo_user(getattr(account_demo, role.upper()))
    found = []
    for width in WIDTHS:
        context = _signed_in(browser, live_server, user, width)
        page = context.new_page()
        for path in _pages(role):
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            found += [f"{width}px {line}" for line in audit(page)]
        context.close()
    assert found == [], "\n".join(found)


def test_the_audit_itself_reports_what_it_should(page):
    """The audit above would fail on a real problem: an unnamed checkbox and grey-on-white text."""
    require_axe()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><input type="checkbox">'
        '<p style="color:#bbb;background:#fff">Faint text</p></main></body></html>'
    )
    found = " ".join(audit(page))
    assert "label (critical)" in found and "color-contrast (serious)" in found


FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {id: e.id, text: (e.innerText || e.value || '').trim(), type: e.type || '', checked: !!e.checked,
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none'};
}"""


def _tab_to(page, matches, limit: int = 120) -> dict:
    """Press Tab until the focused element matches; each stop must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            assert focused["outline"] or focused["shadow"], f"focus not visible on {focused}"
            return focused
    raise AssertionError("never reached by Tab")


def test_an_applicant_applies_with_the_keyboard_alone(browser, live_server):
    ensure_seeded_specialty()
    listing = ListingFactory(institution=InstitutionFactory(), title="Keyboard Medicine Observership")
    SessionFactory(listing=listing, seats=2)
    QuestionFactory(listing=listing, prompt="Which EMR have you used?")
    applicant = UserFactory(email="kofi@example.org", full_name="Kofi Boateng")
    ApplicantProfileFactory(user=applicant)
    add_document(applicant, "cv")
    context = _signed_in(browser, live_server, applicant, 375)
    page = context.new_page()
    page.goto(f"/placements/{listing.pk}/")

    _tab_to(page, lambda f: f["text"].startswith("Apply to the session starting"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, lambda f: f["text"] == "Start my application")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Before you can submit")).to_be_visible()

    _tab_to(page, lambda f: f["id"] == "id_personal_statement")
    page.keyboard.type("Two years on the medical wards; I want to learn how a US team runs its service.")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    _tab_to(page, lambda f: f["type"] == "checkbox")
    page.keyboard.press("Space")
    assert page.evaluate(FOCUSED)["checked"]
    _tab_to(page, lambda f: f["id"].startswith("id_q_"))
    page.keyboard.type("Epic")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    _tab_to(page, lambda f: f["text"] == "Submit application")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_text("Application submitted.")).to_be_visible()
    application = Application.objects.get(applicant=applicant)
    assert application.status == Status.SUBMITTED and application.documents.count() == 1
    assert re.search("Epic", application.answers.get().value)
    context.close()


def test_the_calendar_link_is_a_comfortable_touch_target_on_a_phone(browser, live_server, demo):
    invited = Application.objects.get(status=Status.INTERVIEW, interview_slot__isnull=False)
    context = _signed_in(browser, live_server, invited.applicant, 375)
    page = context.new_page()
    page.goto(f"/applications/{invited.pk}/")

    box = page.get_by_role("link", name="Add to my calendar (.ics)").bounding_box()

    assert box["height"] >= 24 and box["width"] >= 24, box
    assert audit(page) == []
    context.close()


def test_changing_a_search_filter_on_a_phone_logs_no_csp_error(page):
    ensure_seeded_specialty()
    for city, state in [("Chicago", "IL"), ("Houston", "TX")]:
        SessionFactory(listing=ListingFactory(institution=InstitutionFactory(city=city, state=state)))
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto("/placements/")
    expect(page.get_by_role("heading", name="2 placements")).to_be_visible()

    page.get_by_text("Filters").click()
    page.get_by_label("State").select_option("IL")
    expect(page.get_by_role("heading", name=re.compile("1 placement"))).to_be_visible()
    page.get_by_label(re.compile("Open for applications now")).check()
    expect(page).to_have_url(re.compile(r"open_now=1"))
    page.wait_for_load_state("networkidle")

    assert [e for e in errors if "Content Security Policy" in e] == []
