"""The HTML access-control matrix: every page that takes an object id (a number, a token, a code, a
section slug), requested as every role, refuses everyone but the owner and changes nothing.

The rows come from the URL configuration: `test_the_matrix_knows_every_route_that_takes_an_argument`
fails when a route is added that no row, public declaration or admin rule covers. `refusal_cases()`
lists every (route, outsider, method); `test_refused` runs them grouped by route (one world each,
which keeps the run short) and fails naming every case that does not hold. docs/security.md states their
number ("N of N refusals hold"), a test keeps it true, `python -m tests.security.access_matrix_count`
prints it.

Refusals, by who asks:
- anonymous: a redirect to the login page (LoginRequiredMiddleware), never the object;
- a signed-in user of the wrong role: 403 (accounts.roles);
- the right role but not theirs: 404, so an id never confirms that an object exists.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.access_matrix import (
    API_PREFIX,
    PUBLIC,
    ROWS,
    SELF_SCOPED,
    admin_rows,
    database_snapshot,
    refusal_cases,
    refusal_groups,
)
from tests.security.routes import routes_taking_arguments

pytestmark = pytest.mark.django_db


def test_the_matrix_knows_every_route_that_takes_an_argument():
    declared = {row.name for row in ROWS} | set(PUBLIC) | set(SELF_SCOPED) | {row.key for row in admin_rows()}
    in_urlconf = {
        route.name or route.route for route in routes_taking_arguments() if not route.route.startswith(API_PREFIX)
    }
    assert in_urlconf - declared == set(), "new routes taking an id: add them to tests/security/access_matrix.py"
    assert declared - in_urlconf == set(), "rows for routes that no longer exist"


def test_every_refusal_case_is_counted_once():
    cases = refusal_cases()
    assert len(cases) == len({case.id for case in cases})
    assert len(cases) > 500  # every route, every outsider, both methods: the walk found them


@pytest.mark.parametrize("group", sorted(refusal_groups()), ids=str)
def test_refused(group, world, clients):
    """Every refusal of one route (or one admin model's pages): the answer, and nothing changed."""
    before = database_snapshot()
    failed = []
    for case in refusal_groups()[group]:
        response = case.request(world, clients[case.persona])
        expected = case.expected(world)
        answer = (response.status_code, response.get("Location"))
        if response.status_code != expected.status:
            failed.append(f"{case.id}: {answer}, expected {expected}")
        elif expected.location is not None and not response["Location"].startswith(expected.location):
            failed.append(f"{case.id}: {answer}, expected {expected}")
        elif expected.says is not None and expected.says not in response.content.decode():
            failed.append(f"{case.id}: the page does not say {expected.says!r}")
        elif database_snapshot() != before:
            failed.append(f"{case.id}: a refused request changed the database")
            before = database_snapshot()
    assert failed == []


@pytest.mark.parametrize("row", [row for row in ROWS if row.allowed], ids=lambda row: row.id)
def test_the_owner_gets_through(row, world, clients):
    for persona in row.allowed:
        if "get" in row.methods:
            response = clients[persona].get(reverse(row.name, kwargs=row.kwargs(world)))
            assert response.status_code == row.owner_get, (persona, response.status_code)
        if "post" in row.methods:
            response = clients[persona].post(reverse(row.name, kwargs=row.kwargs(world)), row.data(world))
            # Through the access check: whatever the answer, it is not a refusal of who asks.
            assert response.status_code not in (403, 404, 405) and response.status_code < 500, (
                persona,
                response.status_code,
            )


@pytest.mark.parametrize("name", sorted(PUBLIC), ids=str)
def test_a_public_route_opens_with_the_real_token(name, world, clients):
    public = PUBLIC[name]
    url = reverse(name, kwargs=public.kwargs(world))
    if "get" in public.methods:
        assert clients["anonymous"].get(url).status_code == 200
    else:  # the form posted empty: answered (a form error, or done), not refused
        assert clients["anonymous"].post(url).status_code in (200, 302, 400)


@pytest.mark.parametrize("name", sorted(SELF_SCOPED), ids=str)
def test_a_self_scoped_route_opens_for_its_role(name, world, clients):
    scoped = SELF_SCOPED[name]
    response = clients[scoped.persona].get(reverse(name, kwargs=scoped.kwargs(world)))
    assert response.status_code == 200


@pytest.mark.parametrize("row", [row for row in admin_rows() if row.admin_status], ids=lambda row: row.route)
def test_an_admin_opens_the_admin_pages(row, world, clients):
    response = clients["admin_user"].get(row.url(world))
    assert response.status_code == row.admin_status


def test_the_security_doc_states_how_many_refusals_hold():
    from pathlib import Path

    count = len(refusal_cases())
    readme = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert f"{count:,} of {count:,} refusals hold" in readme
