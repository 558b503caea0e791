"""A visitor on a phone searches the catalogue, narrows it, opens a listing and comes back."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.models import Specialty
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(transactional_db):
    # Specialties and visas are back even after an earlier flush (tests/conftest.py _reference_data).
    chicago = InstitutionFactory(name="Lakeshore University Medical Center", city="Chicago", state="IL")
    houston = InstitutionFactory(name="Gulf Coast Teaching Hospital", city="Houston", state="TX")
    open_im = ListingFactory(institution=chicago, title="Internal Medicine Inpatient Rotation")
    SessionFactory(listing=open_im)
    later = ListingFactory(institution=chicago, title="Internal Medicine Clinic Elective")
    SessionFactory(listing=later, applications_open_at=timezone.now() + dt.timedelta(days=5))
    SessionFactory(listing=ListingFactory(institution=houston, title="Internal Medicine Night Float Externship"))
    ListingFactory(
        institution=chicago,
        title="Dermatology Observership",
        specialty=Specialty.objects.get(slug="dermatology"),
        description="Skin clinic.",
    )
    return open_im


def result_titles(page):
    return page.locator(".result-list h3").all_inner_texts()


def test_search_narrow_open_a_listing_and_come_back_to_the_same_results(page, catalogue):
    page.goto("/placements/")
    expect(page.get_by_role("heading", name="4 placements")).to_be_visible()

    page.get_by_label("Search placements").fill("internal medicine")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("3 placements for"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=internal(\+|%20)medicine"))

    page.get_by_text("Filters").click()
    page.get_by_label("State").select_option("IL")
    expect(page.get_by_role("heading", name=re.compile("2 placements for"))).to_be_visible()
    page.get_by_label(re.compile("Open for applications now")).check()
    expect(page.get_by_role("heading", name=re.compile("1 placement for"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"open_now=1"))
    expect(page).to_have_url(re.compile(r"state=IL"))
    filtered_url = page.url
    assert result_titles(page) == ["Internal Medicine Inpatient Rotation"]

    page.get_by_role("link", name="Internal Medicine Inpatient Rotation").click()
    expect(page.get_by_role("heading", level=1, name="Internal Medicine Inpatient Rotation")).to_be_visible()
    expect(page.get_by_text("Requirements checklist")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(filtered_url)
    expect(page.get_by_role("heading", name=re.compile("1 placement for"))).to_be_visible()
    assert result_titles(page) == ["Internal Medicine Inpatient Rotation"]
    expect(page.get_by_label("State")).to_have_value("IL")
    expect(page.get_by_label(re.compile("Open for applications now"))).to_be_checked()

    # A reload (or the same link shared) shows the same results.
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("1 placement for"))).to_be_visible()
    assert result_titles(page) == ["Internal Medicine Inpatient Rotation"]

    # The page fits a 375 px phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_malformed_link_shows_a_note_and_the_results(page, catalogue):
    page.goto("/placements/?fee_max=abc&state=ZZ")
    expect(page.get_by_role("alert")).to_contain_text("is not an amount in dollars")
    expect(page.get_by_role("alert")).to_contain_text("is not a US state we know")
    expect(page.get_by_role("heading", name="4 placements")).to_be_visible()
