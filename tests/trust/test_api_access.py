"""Every trust endpoint that takes an id refuses another institution's objects (404) and the wrong
role (403); the owner gets through; public ones answer anyone."""

import pytest

from tests.api.conftest import token_client
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from trust.models import ListingReport
from trust.services import visa_letter_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(applicant, institution, coordinator, letterhead):
    listing = ListingFactory(institution=institution)
    accepted = ApplicationFactory(applicant=applicant, session=SessionFactory(listing=listing), status="accepted")
    letter = visa_letter_issue(
        application_id=accepted.pk, actor=coordinator, passport_number="A1", costs="$1", paid_by="A"
    )
    return {
        "accepted": accepted,
        "visa_letter": letter,
        "listing": listing,
        "draft_listing": ListingFactory(institution=institution, status="draft"),
        "report": ListingReport.objects.create(listing=listing, reporter=applicant, field="costs", note="Fee"),
    }


@pytest.fixture
def personas(applicant, coordinator, other_coordinator, admin_user):
    return {
        "alice": token_client(applicant),
        "carol": token_client(coordinator),
        "dave": token_client(other_coordinator),
        "erin": token_client(admin_user),
    }


# (method, url, object key, body, owner, outsider, the outsider's status)
MATRIX = [
    ("get", "/api/v1/trust/applications/{}/visa-letters/", "accepted", {}, "carol", "dave", 404),
    ("get", "/api/v1/trust/applications/{}/visa-letters/", "accepted", {}, "carol", "alice", 403),
    (
        "post",
        "/api/v1/trust/applications/{}/visa-letters/",
        "accepted",
        {"passport_number": "F", "costs": "0", "paid_by": "x"},
        "carol",
        "dave",
        404,
    ),
    ("post", "/api/v1/trust/visa-letters/{}/revoke/", "visa_letter", {}, None, "dave", 404),
    ("post", "/api/v1/trust/visa-letters/{}/revoke/", "visa_letter", {}, None, "alice", 403),
    ("post", "/api/v1/trust/listings/{}/confirm/", "listing", {}, "carol", "dave", 404),
    (
        "post",
        "/api/v1/trust/listings/{}/reports/",
        "draft_listing",
        {"field": "costs", "note": "x"},
        None,
        "alice",
        404,
    ),
    (
        "post",
        "/api/v1/trust/reports/{}/resolve/",
        "report",
        {"status": "corrected", "resolution": "x"},
        None,
        "carol",
        403,
    ),
    (
        "post",
        "/api/v1/trust/reports/{}/resolve/",
        "report",
        {"status": "corrected", "resolution": "x"},
        None,
        "alice",
        403,
    ),
]


@pytest.mark.parametrize(("method", "url", "key", "body", "owner", "outsider", "status"), MATRIX)
def test_an_outsider_is_refused_and_nothing_changes(objects, personas, method, url, key, body, owner, outsider, status):
    obj = objects[key]
    obj.refresh_from_db()
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    response = getattr(personas[outsider], method)(url.format(obj.pk), body, format="json")
    assert response.status_code == status
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before
    if owner:
        assert getattr(personas[owner], method)(url.format(obj.pk), body, format="json").status_code in (200, 201)


def test_an_admin_resolves_a_report_and_a_second_resolution_is_a_409(objects, personas):
    url = f"/api/v1/trust/reports/{objects['report'].pk}/resolve/"
    body = {"status": "corrected", "resolution": "Fee updated"}
    assert personas["erin"].post(url, body, format="json").json()["status"] == "corrected"
    assert personas["erin"].post(url, body, format="json").status_code == 409
    assert personas["erin"].get("/api/v1/trust/reports/").json()["count"] == 0


def test_the_public_endpoints_answer_anyone(client, objects, institution):
    assert client.get(f"/api/v1/trust/institutions/{institution.pk}/responsiveness/").status_code == 200
    assert client.get(f"/api/v1/trust/visa-letters/verify/{objects['visa_letter'].code}/").json()["state"] == "valid"
    assert client.get("/api/v1/trust/visa-letters/verify/V-NONE-NONE-NONE/").status_code == 404
