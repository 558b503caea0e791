"""On the placements search and listing pages, a signed-in applicant sees where they are eligible."""

import datetime as dt

import pytest
from django.urls import reverse

from placements.models import DocumentRequirement, Listing
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("placements:search")


@pytest.fixture
def catalogue():
    open_to_j1 = SessionFactory(listing=ListingFactory(title="Open to J-1", visas=["j1"])).listing
    f1_only = SessionFactory(listing=ListingFactory(title="F-1 only", visas=["f1"])).listing
    needs_cv = SessionFactory(listing=ListingFactory(title="Needs a CV", visas=["j1"])).listing
    DocumentRequirement.objects.create(listing=needs_cv, kind="cv")
    return {"eligible": open_to_j1, "refused": f1_only, "incomplete": needs_cv}


@pytest.fixture
def applicant_j1(client):
    profile = ApplicantProfileFactory(planned_visa="j1")
    client.force_login(profile.user)
    return profile


def card_of(html, title):
    start = html.index(f">{title}</a>")
    return html[start : html.index("</article>", start)]


def test_each_result_carries_the_applicants_eligibility_badge(client, catalogue, applicant_j1):
    html = client.get(SEARCH).content.decode()

    assert 'data-eligibility="eligible"' in card_of(html, "Open to J-1")
    assert 'data-eligibility="not_eligible"' in card_of(html, "F-1 only")
    assert 'data-eligibility="incomplete"' in card_of(html, "Needs a CV")


def test_only_where_i_am_eligible_keeps_the_listings_that_pass_the_hard_rules(client, catalogue, applicant_j1):
    response = client.get(SEARCH, {"eligible": "1"})

    titles = [listing.title for listing in response.context["result"].page.object_list]
    assert sorted(titles) == ["Needs a CV", "Open to J-1"]  # documents are the badge's job, not the filter's
    assert response.context["result"].flags["eligible"].selected


def test_the_flag_counts_before_it_is_ticked(client, catalogue, applicant_j1):
    flags = client.get(SEARCH).context["result"].flags

    assert flags["eligible"].count == 2 and flags["eligible"].label == "Only where I am eligible"


def test_visitors_and_coordinators_are_not_offered_the_eligible_filter_or_badges(client, catalogue, coordinator):
    for user in (None, coordinator):
        if user:
            client.force_login(user)
        response = client.get(SEARCH, {"eligible": "1"})
        html = response.content.decode()
        # Only an applicant has an answer: for others the checkbox would only ever say 0, so it is
        # not there, and a shared link that ticks it shows the whole catalogue.
        assert "eligible" not in response.context["result"].flags
        assert "Only where I am eligible" not in html
        assert response.context["result"].total == 3
        assert "data-eligibility" not in html


def test_the_listing_page_gives_the_reasons_in_plain_words(client, catalogue, applicant_j1):
    html = client.get(reverse("placements:listing", args=[catalogue["refused"].pk])).content.decode()

    assert "Can you apply?" in html
    assert "Accepts F-1 visa: you plan J-1." in html


def test_the_listing_page_names_what_to_upload(client, catalogue, applicant_j1):
    html = client.get(reverse("placements:listing", args=[catalogue["incomplete"].pk])).content.decode()

    assert "Upload your CV." in html and f"{reverse('applicants:document_upload')}?kind=cv" in html


def test_a_listing_with_no_session_taking_applications_says_so(client, applicant_j1):
    listing = ListingFactory(title="No dates yet")

    html = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()

    assert "nothing to check yet" in html


def test_a_visitor_sees_the_listing_page_without_an_eligibility_panel(client, catalogue):
    html = client.get(reverse("placements:listing", args=[catalogue["eligible"].pk])).content.decode()

    assert "Can you apply?" not in html


@pytest.mark.parametrize("size", [5, 60])
def test_search_with_badges_and_the_filter_stays_within_a_fixed_query_budget(
    client, applicant_j1, django_assert_max_num_queries, size
):
    for n in range(size):
        listing = ListingFactory(visas=["j1", "b1b2"] if n % 2 else ["f1"], min_step2_score=200 + n % 80)
        SessionFactory(listing=listing, start_date=dt.date.today() + dt.timedelta(days=60 + n))
        DocumentRequirement.objects.create(listing=listing, kind="passport")

    with django_assert_max_num_queries(20):
        response = client.get(SEARCH, {"eligible": "1"})

    page = response.context["result"].page.object_list
    assert page and all(listing.eligibility.status == "incomplete" for listing in page)


@pytest.mark.parametrize("size", [2, 20])
def test_the_listing_page_panel_stays_within_a_fixed_query_budget(
    client, applicant_j1, django_assert_max_num_queries, size
):
    listing = ListingFactory(status=Listing.Status.PUBLISHED)
    DocumentRequirement.objects.create(listing=listing, kind="bls", valid_within_days=730)
    for n in range(size):
        SessionFactory(listing=listing, start_date=dt.date.today() + dt.timedelta(days=60 + 30 * n))

    with django_assert_max_num_queries(14):
        html = client.get(reverse("placements:listing", args=[listing.pk])).content.decode()

    assert html.count('data-eligibility="incomplete"') == size


def test_deadlines_show_in_the_applicants_own_time_zone(client, catalogue):
    profile = ApplicantProfileFactory(time_zone="Asia/Kolkata")
    client.force_login(profile.user)

    html = client.get(reverse("placements:listing", args=[catalogue["eligible"].pk])).content.decode()

    assert "Times are in Asia/Kolkata time." in html and " IST" in html


def test_a_visitor_sees_deadlines_in_the_portals_time_zone(client, catalogue, settings):
    html = client.get(reverse("placements:listing", args=[catalogue["eligible"].pk])).content.decode()

    assert f"Times are in {settings.TIME_ZONE} time." in html


def test_an_applicant_saves_a_listing_from_its_page(client, catalogue, applicant_j1):
    listing = catalogue["eligible"]
    page = reverse("placements:listing", args=[listing.pk])

    client.post(reverse("applicants:saved_add", args=[listing.pk]), {"next": page})

    html = client.get(page).content.decode()
    assert 'aria-pressed="true"' in html and reverse("applicants:saved_remove", args=[listing.pk]) in html
