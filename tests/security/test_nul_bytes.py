"""A NUL byte, which PostgreSQL text cannot hold, answers 400 (or a 404 where the route does not match),
never a 500: in every path argument, query parameter and form or JSON field, on every route the
access walker knows, as a persona the route lets through (so the view itself would be reached)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.urls import Resolver404, resolve, reverse

from portal.middleware import NUL_MESSAGE
from tests.security.access_matrix import PUBLIC, ROWS, SELF_SCOPED, admin_rows
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

NUL = "\x00"
# Every name a view reads from request.GET/POST or query_params by hand, and the filters' fields.
PARAMS = (
    "action code copy done ids kind listing message move next on page query reply scope slot to_status unread "
    "q sort status session specialty state email token format"
).split()
STAFF_AND_ALL = ("anonymous", "applicant", "coordinator", "admin_user")
_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Target:
    route: str
    url: str
    args: tuple[str, ...]  # the argument values as they appear in the url
    personas: tuple[str, ...]
    post_fields: tuple[str, ...]
    query_answers: tuple[int, ...] = (400,)


def _targets(world) -> list[Target]:
    rows = {row.name: row for row in ROWS}
    admin = {row.key: row for row in admin_rows()}
    targets = []
    for route in all_routes():
        name = route.name
        if name in rows:
            row = rows[name]
            kwargs = row.kwargs(world)
            personas = row.allowed or ("anonymous",)
            url, fields = reverse(name, kwargs=kwargs), tuple(row.data(world)) or PARAMS
        elif name in PUBLIC:
            kwargs = PUBLIC[name].kwargs(world)
            url, personas, fields = reverse(name, kwargs=kwargs), ("anonymous",), PARAMS
        elif name in SELF_SCOPED:
            kwargs = SELF_SCOPED[name].kwargs(world)
            url, personas, fields = reverse(name, kwargs=kwargs), (SELF_SCOPED[name].persona,), PARAMS
        elif (name or route.route) in admin:
            row = admin[name or route.route]
            url = row.url(world)
            kwargs = {"object_id": url.rstrip("/").split("/")[-2 if url.endswith("/change/") else -1]}
            personas, fields = ("admin_user",), ("name",)
        elif not route.takes_arguments:
            url = reverse(name) if name else "/" + route.route.lstrip("^").rstrip("$")
            kwargs, personas, fields = {}, STAFF_AND_ALL, PARAMS
        else:  # the API and the admin's own pages: any id reaches the view, which looks it up
            kwargs = {arg: (1 if conv == "int" else "x") for conv, arg in _ARG.findall(route.route)}
            url = "/" + _ARG.sub(lambda m, kwargs=kwargs: str(kwargs[m.group(2)]), route.route)
            personas, fields = STAFF_AND_ALL, PARAMS
        if "(?P" in url or "^" in url:
            continue  # a regular-expression route (the static files' catch-all): nothing to name
        args = tuple(quote(str(v), safe="") for v in kwargs.values())
        try:
            tolerant = getattr(resolve(url.split("?")[0]).func, "strips_nul_from_query", False)
        except Resolver404:  # the admin's catch-all: answered 404 before any view
            tolerant = False
        targets.append(Target(route.route, url, args, personas, fields, (200,) if tolerant else (400,)))
    return targets


def test_every_route_answers_a_nul_with_400_never_500(world, clients):
    failed, tried = [], 0
    for target in _targets(world):
        for persona in target.personas:
            client = clients[persona]
            attempts = []
            for arg in target.args:  # a NUL after each path argument: refused, or no such route
                if f"/{arg}/" in target.url or target.url.endswith(f"/{arg}"):
                    attempts.append(("get", target.url.replace(arg, arg + "%00", 1), {}, (400, 404)))
            # Every parameter a view reads by hand, and every field of the route's forms, as a
            # query, a urlencoded form and a multipart form.
            # A view that cleans its own query (the search, @strips_nul_from_query) answers its page.
            attempts.append(("get", target.url, {param: NUL for param in PARAMS}, target.query_answers))
            fields = {field: f"x{NUL}y" for field in target.post_fields}
            attempts.append(("post", target.url, fields, (400,)))
            attempts.append(("urlencoded", target.url, fields, (400,)))
            for method, url, data, expected in attempts:
                tried += 1
                if method == "urlencoded":
                    response = client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
                else:
                    response = getattr(client, method)(url, data)
                if response.status_code not in expected:
                    failed.append(f"{persona} {method.upper()} {url!r} {data}: {response.status_code}")
    assert failed == []
    assert tried > 2500  # every route, as every persona it lets through: the walk found them


def test_the_search_cleans_its_own_query_and_only_the_search(world):
    tolerant = [t.route for t in _targets(world) if t.query_answers != (400,)]
    assert tolerant == [r.route for r in all_routes() if r.name == "placements:search"]


@pytest.mark.parametrize(
    "url", ["/applications/verify/?code=%00", "/applications/verify/%00/", "/notifications/calendar/%00.ics"]
)
def test_the_reported_urls_answer_400_with_a_reason(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_an_api_json_field_with_a_nul_is_a_problem_not_a_500(applicant, coordinator):
    from tests.api.conftest import token_client

    response = token_client(applicant).post(
        "/api/v1/applications/", '{"session": 1, "personal_statement": "a\\u0000b"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == NUL_MESSAGE
    response = token_client(coordinator).get("/api/v1/queue/", {"q": NUL})
    assert response.status_code == 400 and response.json()["status"] == 400


def test_a_form_field_with_a_nul_is_refused_and_nothing_is_saved(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("applicants:profile"), {"full_name": f"Alice{NUL}"})
    assert response.status_code == 400
    applicant.refresh_from_db()
    assert NUL not in applicant.full_name


def test_a_file_upload_with_nul_bytes_in_its_content_is_not_refused_for_them(client, applicant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(applicant)
    pdf = SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n\x00\x00binary\n%%EOF\n", content_type="application/pdf")
    response = client.post(reverse("applicants:document_upload"), {"kind": "cv", "file": pdf})
    assert NUL_MESSAGE not in response.content.decode()
    assert response.status_code < 500
