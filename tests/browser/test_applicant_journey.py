"""A new applicant on a phone fills the profile, uploads documents, and watches a listing turn eligible."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from placements.models import DocumentRequirement, ImmunisationRequirement
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applicants import files
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.browser


def test_a_new_applicant_becomes_eligible_and_finds_the_listing_on_matches(page):
    UserFactory(email="amina.okafor@example.org", full_name="Amina Okafor")
    listing = ListingFactory(title="Cardiology Elective at Lakeshore", visas=["j1"], requires_ecfmg_certification=True)
    SessionFactory(listing=listing)
    DocumentRequirement.objects.create(listing=listing, kind="cv")
    ImmunisationRequirement.objects.create(listing=listing, immunisation="tb_test", valid_within_days=365)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("amina.okafor@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.get_by_text("Menu").click()
    page.get_by_role("navigation", name="Main").first.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile 0% complete")).to_be_visible()

    # The meter's next step leads straight to the right section.
    page.get_by_role("link", name="Say whether you are a student or a graduate").first.click()
    page.get_by_label("Student or graduate").select_option("graduate")
    page.get_by_label("Medical school:", exact=True).fill("University of Lagos College of Medicine")
    page.get_by_label("Graduation year").fill(str(dt.date.today().year - 2))
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Medical school saved. Next: Add the visa you will hold for the placement.")
    ).to_be_visible()

    page.get_by_role("link", name="Add the visa you will hold for the placement").click()
    page.get_by_label("Visa for the placement").select_option("j1")
    page.get_by_role("button", name="Save").click()

    page.goto("/applicants/profile/exams/")
    page.get_by_label("ECFMG certification").select_option("in_progress")
    page.get_by_label("USMLE/ECFMG identification number").fill("1234567")  # one digit short
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("exactly 8 digits")).to_be_visible()
    expect(page.get_by_label("ECFMG certification")).to_have_value("in_progress")  # kept on error
    page.get_by_label("USMLE/ECFMG identification number").fill("12345678")
    page.get_by_role("button", name="Save").click()

    # Documents: an immunisation record with its TB test date, then a CV.
    page.goto("/applicants/documents/upload/?kind=immunisation_record")
    page.get_by_label("File").set_input_files(
        files={"name": "immunisations.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    page.get_by_label("TB test (PPD or IGRA)").fill((dt.date.today() - dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Immunisation record uploaded.")).to_be_visible()

    page.goto("/applicants/documents/upload/?kind=cv")
    page.get_by_label("File").set_input_files(
        files={"name": "Amina CV.pdf", "mimeType": "application/pdf", "buffer": files.PDF + b"%cv"}
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("link", name="Amina_CV.pdf")).to_be_visible()

    # The listing: not eligible, with the reason in plain words.
    page.goto(f"/placements/{listing.pk}/")
    expect(page.locator("[data-eligibility]").first).to_have_text("Not eligible")
    expect(page.get_by_text("Requires ECFMG certification: yours is in progress.")).to_be_visible()
    page.get_by_role("link", name="Update your profile").click()
    page.get_by_label("ECFMG certification").select_option("certified")
    page.get_by_role("button", name="Save").click()

    page.goto(f"/placements/{listing.pk}/")
    expect(page.locator("[data-eligibility]").first).to_have_text("Eligible")
    expect(page.get_by_text("You meet every requirement of this session.")).to_be_visible()

    page.get_by_text("Menu").click()
    page.get_by_role("navigation", name="Main").first.get_by_role("link", name="Matches").click()
    match = page.get_by_role("article").filter(has_text="Cardiology Elective at Lakeshore")
    expect(match).to_be_visible()
    match.get_by_role("button", name="Save").click()
    expect(match.get_by_role("button", name="Saved ✓")).to_be_visible()

    # Nothing on these pages is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
