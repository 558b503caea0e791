import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Listing, Specialty
from placements.search import parse_params, search_listings
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

URL = reverse("placements:search")


def titles(response):
    return [listing.title for listing in response.context["result"].page.object_list]


@pytest.fixture
def catalogue(db):
    il = InstitutionFactory(name="Lakeshore University Medical Center", city="Chicago", state="IL")
    tx = InstitutionFactory(name="Gulf Coast Teaching Hospital", city="Houston", state="TX")
    derm = Specialty.objects.get(slug="dermatology")
    im_il = ListingFactory(institution=il, title="Internal Medicine Inpatient Rotation", programme_fee=Decimal("3000"))
    im_tx = ListingFactory(
        institution=tx,
        title="Internal Medicine Clinic Externship",
        kind=Listing.Kind.EXTERNSHIP,
        programme_fee=Decimal("1200"),
        requires_ecfmg_certification=True,
        visas=["j1"],
    )
    derm_il = ListingFactory(
        institution=il,
        title="Dermatology Observership",
        specialty=derm,
        kind=Listing.Kind.OBSERVERSHIP,
        hands_on_level=Listing.HandsOn.OBSERVATIONAL,
        description="Outpatient skin clinic.",
        lor_offered=True,
        duration_weeks=2,
    )
    ListingFactory(institution=il, title="Internal Medicine Draft", status=Listing.Status.DRAFT)
    # Open now: the default session's window opened ten days ago and closes 30 days before the start.
    SessionFactory(listing=im_il)
    closed_start = timezone.localdate() + dt.timedelta(days=120)
    SessionFactory(
        listing=im_tx,
        start_date=closed_start,
        applications_open_at=timezone.now() + dt.timedelta(days=5),
        applications_close_at=timezone.now() + dt.timedelta(days=80),
    )
    return {"im_il": im_il, "im_tx": im_tx, "derm_il": derm_il}


def test_anonymous_visitors_see_published_listings_only(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted(
        ["Internal Medicine Inpatient Rotation", "Internal Medicine Clinic Externship", "Dermatology Observership"]
    )
    assert "Internal Medicine Draft" not in response.content.decode()


def test_text_search_finds_the_specialty_and_leaves_out_the_rest(client, catalogue):
    response = client.get(URL, {"q": "internal medicine"})
    assert sorted(titles(response)) == ["Internal Medicine Clinic Externship", "Internal Medicine Inpatient Rotation"]


def test_text_search_matches_the_institution_city(client, catalogue):
    assert titles(client.get(URL, {"q": "houston"})) == ["Internal Medicine Clinic Externship"]


def test_state_and_open_now_narrow_the_results(client, catalogue):
    assert sorted(titles(client.get(URL, {"state": "IL"}))) == [
        "Dermatology Observership",
        "Internal Medicine Inpatient Rotation",
    ]
    assert titles(client.get(URL, {"q": "internal medicine", "open_now": "1"})) == [
        "Internal Medicine Inpatient Rotation"
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "externship"}, ["Internal Medicine Clinic Externship"]),
        ({"hands_on": "observational"}, ["Dermatology Observership"]),
        ({"specialty": "dermatology"}, ["Dermatology Observership"]),
        ({"visa": "b1b2"}, ["Dermatology Observership", "Internal Medicine Inpatient Rotation"]),
        ({"no_ecfmg": "1"}, ["Dermatology Observership", "Internal Medicine Inpatient Rotation"]),
        ({"lor": "1"}, ["Dermatology Observership"]),
        ({"fee_max": "2000"}, ["Internal Medicine Clinic Externship"]),
        (
            {"duration": "up-to-4"},
            ["Dermatology Observership", "Internal Medicine Clinic Externship", "Internal Medicine Inpatient Rotation"],
        ),
        ({"duration": "9-plus"}, []),
    ],
)
def test_each_filter_narrows_to_what_it_says(client, catalogue, params, expected):
    assert sorted(titles(client.get(URL, params))) == expected


def test_start_month_keeps_listings_with_a_session_starting_that_month(client, catalogue):
    month = (timezone.localdate() + dt.timedelta(days=120)).strftime("%Y-%m")
    assert titles(client.get(URL, {"start_month": month})) == ["Internal Medicine Clinic Externship"]


def test_total_cost_counts_every_fee_not_only_the_programme_fee(client, catalogue):
    catalogue["im_tx"].deposit = Decimal("900")
    catalogue["im_tx"].save()
    # 1200 programme + 100 application + 900 deposit = 2200 > 2000.
    assert titles(client.get(URL, {"fee_max": "2000"})) == []


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"fee_max": "abc"}, "is not an amount in dollars"),
        ({"state": "ZZ"}, "is not a US state we know"),
        ({"specialty": "astrology"}, "is not a specialty we know"),
        ({"start_month": "2027-13"}, "is not a month like"),
        ({"sort": "cheapest"}, "is not a sort order we know"),
        ({"page": "-3"}, "is not a page number"),
        ({"open_now": "maybe"}, "use 1 to turn it on"),
    ],
)
def test_a_malformed_parameter_is_ignored_with_a_visible_note(client, catalogue, query, note):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert note in response.content.decode()
    assert len(titles(response)) == 3  # searched as if the parameter were absent


def test_facet_counts_leave_out_their_own_filter(client, catalogue):
    result = client.get(URL, {"state": "IL"}).context["result"]
    states = {f.value: f.count for f in result.facets["state"]}
    assert states == {"IL": 2, "TX": 1}  # picking Illinois still shows what Texas has
    kinds = {f.value: f.count for f in result.facets["kind"]}
    assert kinds == {"rotation": 1, "observership": 1}  # other facets follow the state filter
    assert result.flags["lor"].count == 1
    assert result.flags["open_now"].count == 1


def test_an_empty_result_offers_to_loosen_each_filter(client, catalogue):
    response = client.get(URL, {"state": "TX", "lor": "1"})
    assert titles(response) == []
    body = response.content.decode()
    assert "No placement matches all of these filters" in body
    loosen = dict(response.context["result"].loosen)
    assert loosen["Remove “State”"] == "lor=1"
    assert loosen["Remove “Letter of recommendation offered”"] == "state=TX"


def test_htmx_requests_get_only_the_results_region(client, catalogue):
    response = client.get(URL, {"state": "IL"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="search-area"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, catalogue):
    response = client.get(URL, {"state": "IL"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("fee", "Internal Medicine Clinic Externship"),
        ("deadline", "Internal Medicine Inpatient Rotation"),
        ("start", "Internal Medicine Inpatient Rotation"),
    ],
)
def test_sort_orders(client, catalogue, sort, first):
    assert titles(client.get(URL, {"sort": sort}))[0] == first


def test_newest_first_by_publication(client, catalogue):
    Listing.objects.filter(pk=catalogue["derm_il"].pk).update(published_at=timezone.now())
    assert titles(client.get(URL, {"sort": "newest"}))[0] == "Dermatology Observership"


def test_relevance_puts_title_matches_first(client, catalogue):
    ListingFactory(
        title="Cardiology Elective",
        description="Includes internal medicine consults.",
        specialty=Specialty.objects.get(slug="cardiovascular-disease"),
    )
    found = titles(client.get(URL, {"q": "internal medicine"}))
    assert found[-1] == "Cardiology Elective"


def test_pagination_keeps_the_filters(client, db):
    institution = InstitutionFactory(state="NY")
    for _ in range(25):
        ListingFactory(institution=institution)
    response = client.get(URL, {"state": "NY", "page": "2"})
    assert len(titles(response)) == 5
    assert 'href="?page=1&amp;state=NY"' in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page(client, catalogue):
    assert len(titles(client.get(URL, {"page": "99"}))) == 3


def test_extra_filters_and_annotators_plug_in(catalogue):
    from placements.search import InvalidValue, SearchFilter

    def parse(raw):
        if raw != "1":
            raise InvalidValue("use 1")
        return True

    only_tx = SearchFilter("only_tx", "Only Texas", parse, lambda qs, v, ctx: qs.filter(institution__state="TX"))
    seen = []
    params = parse_params({"only_tx": "1"}, extra_filters=[only_tx])
    result = search_listings(params, extra_filters=[only_tx], annotators=[lambda listings, user: seen.extend(listings)])
    assert [listing.title for listing in result.page.object_list] == ["Internal Medicine Clinic Externship"]
    assert seen == list(result.page.object_list)
