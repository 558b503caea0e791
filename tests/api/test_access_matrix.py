"""Every endpoint that takes an id refuses another user's and another institution's objects (404),
through the same access helpers as the pages; the owner gets through."""

import pytest

from alerts.services import saved_search_create
from tests.applicants.factories import add_document
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(applicant, institution, other_coordinator):
    from placements.models import Institution

    listing = ListingFactory(institution=institution)
    other_institution = Institution.objects.get(memberships__user=other_coordinator)
    return {
        "document": add_document(applicant, "passport").document,
        "application": ApplicationFactory(applicant=applicant, session=SessionFactory(listing=listing)),
        "draft_listing": ListingFactory(institution=institution, status="draft"),
        "draft_session": SessionFactory(listing=ListingFactory(institution=institution, status="draft")),
        "other_institution_application": ApplicationFactory(
            session=SessionFactory(listing=ListingFactory(institution=other_institution))
        ),
        "saved_search": saved_search_create(owner=applicant, name="Texas", querystring="state=TX"),
    }


# (method, url template, object key, owner fixture, outsider fixture)
MATRIX = [
    ("get", "/api/v1/applicants/documents/{}/", "document", "alice", "bob"),
    ("get", "/api/v1/applications/{}/", "application", "alice", "bob"),
    ("post", "/api/v1/applications/{}/submit/", "application", "alice", "bob"),
    ("post", "/api/v1/applications/{}/withdraw/", "application", "alice", "bob"),
    ("post", "/api/v1/applications/{}/accept/", "application", "alice", "bob"),
    ("post", "/api/v1/applications/{}/decline/", "application", "alice", "bob"),
    ("get", "/api/v1/queue/{}/", "application", "carol", "dave"),
    ("post", "/api/v1/queue/{}/move/", "application", "carol", "dave"),
    ("get", "/api/v1/queue/{}/", "other_institution_application", "dave", "carol"),
    ("get", "/api/v1/listings/{}/", "draft_listing", "carol", "dave"),
    ("get", "/api/v1/listings/{}/", "draft_listing", "carol", "alice"),
    ("get", "/api/v1/sessions/{}/", "draft_session", "carol", "dave"),
    ("get", "/api/v1/applicants/eligibility/{}/", "draft_session", None, "alice"),
    ("get", "/api/v1/applicants/documents/versions/{}/download/", "version", None, "bob"),
    ("put", "/api/v1/applicants/saved/{}/", "draft_listing", None, "alice"),
    ("delete", "/api/v1/applicants/saved/{}/", "draft_listing", None, "alice"),
    ("get", "/api/v1/saved-searches/{}/", "saved_search", "alice", "bob"),
    ("patch", "/api/v1/saved-searches/{}/", "saved_search", "alice", "bob"),
    ("delete", "/api/v1/saved-searches/{}/", "saved_search", "alice", "bob"),
]

# Tested in their own files (their objects need more set-up): notifications and letters.
ELSEWHERE = {"/api/v1/notifications/{}/read/", "/api/v1/letters/{}/resend/", "/api/v1/letters/{}/revoke/"}
# The trust endpoints: tests/trust/test_api_access.py (the same walk, with their own objects).
ELSEWHERE |= {
    "/api/v1/trust/institutions/{}/responsiveness/",
    "/api/v1/trust/visa-letters/verify/<str:code>/",
    "/api/v1/trust/reports/{}/resolve/",
    "/api/v1/trust/applications/{}/visa-letters/",
    "/api/v1/trust/visa-letters/{}/revoke/",
    "/api/v1/trust/listings/{}/confirm/",
    "/api/v1/trust/listings/{}/reports/",
}


def test_the_matrix_covers_every_api_endpoint_that_takes_an_id():
    import re

    from tests.security.routes import routes_taking_arguments

    routes = {
        "/" + re.sub(r"<int:\w+>", "{}", r.route) for r in routes_taking_arguments() if r.route.startswith("api/v1/")
    }
    assert routes == {url for _m, url, *_rest in MATRIX} | ELSEWHERE


@pytest.mark.parametrize(
    ("method", "url", "key", "owner", "outsider"), MATRIX, ids=[f"{m} {u} {k} {o}" for m, u, k, _x, o in MATRIX]
)
def test_an_outsider_gets_404_and_nothing_changes(request, objects, method, url, key, owner, outsider):
    obj = objects[key] if key != "version" else objects["document"].current_version
    target = url.format(obj.pk)
    body = {"to_status": "under_review"} if "move" in url else {}
    before = getattr(obj, "status", None)
    response = getattr(request.getfixturevalue(outsider), method)(target, body, format="json")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"
    obj.refresh_from_db()  # a saved search deleted by an outsider would raise here
    assert getattr(obj, "status", None) == before
    if owner:  # The owner passes the access check (a refused move is 409, never 404).
        expected = (204,) if method == "delete" and key == "saved_search" else (200, 409)
        assert getattr(request.getfixturevalue(owner), method)(target, body, format="json").status_code in expected


def test_a_coordinator_moves_their_institutions_application(carol, objects):
    application = objects["application"]
    response = carol.post(
        f"/api/v1/queue/{application.pk}/move/", {"to_status": "under_review", "message": ""}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "under_review"
    assert "offered" in response.json()["allowed_moves"]


def test_the_queue_lists_only_the_coordinators_institution(carol, dave, objects):
    mine = [row["id"] for row in carol.get("/api/v1/queue/").json()["results"]]
    theirs = [row["id"] for row in dave.get("/api/v1/queue/").json()["results"]]
    assert mine == [objects["application"].pk]
    assert theirs == [objects["other_institution_application"].pk]


def test_lists_show_only_the_callers_own(alice, bob, objects):
    assert [d["id"] for d in alice.get("/api/v1/applicants/documents/").json()["results"]] == [objects["document"].pk]
    assert bob.get("/api/v1/applicants/documents/").json()["results"] == []
    assert bob.get("/api/v1/applications/").json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_document_downloads_for_its_owner_only(alice, bob, objects, media_root):
    from django.core.files.base import ContentFile

    version = objects["document"].current_version
    version.file.save("passport.pdf", ContentFile(b"%PDF-1.4 passport"), save=True)
    url = alice.get("/api/v1/applicants/documents/").json()["results"][0]["current_version"]["download_url"]
    assert bob.get(url).status_code == 404
    response = alice.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 passport"


def test_notifications_are_the_callers_own_and_another_users_id_is_404(alice, bob, applicant):
    from tests.notifications.factories import NotificationFactory

    mine = NotificationFactory(recipient=applicant)
    assert [n["id"] for n in alice.get("/api/v1/notifications/?unread=1").json()["results"]] == [mine.pk]
    assert bob.get("/api/v1/notifications/").json()["count"] == 0
    assert bob.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    assert alice.post(f"/api/v1/notifications/{mine.pk}/read/").json()["is_read"] is True
    assert alice.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
