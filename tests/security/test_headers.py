"""Every HTML page, as every role, carries the security headers (Django's `check --deploy` does not
look at CSP or caching). The pages come from the URL configuration, so new pages are covered."""

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver

from portal.middleware import PrivacyHeadersMiddleware

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "applicant", "coordinator", "admin_user"]


def argument_free_paths(patterns=None, prefix: str = "") -> list[str]:
    """Every URL in the URLconf that takes no argument, e.g. "/accounts/login/"."""
    paths: list[str] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if entry.pattern.regex.groups:
            continue  # takes an argument: the access-control matrix covers those
        route = str(entry.pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        if isinstance(entry, URLResolver):
            paths += argument_free_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return sorted(set(paths))


def script_sources(csp: str) -> list[str]:
    for directive in csp.split(";"):
        name, *sources = directive.split()
        if name == "script-src":
            return sources
    return []


def html_pages_as(client, persona, request) -> dict[str, object]:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    pages = {}
    for path in argument_free_paths():
        response = client.get(path, secure=True)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[path] = response
    return pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_html_page_sends_the_security_headers(client, persona, request):
    pages = html_pages_as(client, persona, request)

    assert "/" in pages and len(pages) >= 5  # the walk found the pages, so the checks below ran
    for path, response in pages.items():
        csp = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in script_sources(csp), path
        assert "'self'" in script_sources(csp), path
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"], (
            path
        )
        cache_control = response["Cache-Control"]
        if persona == "anonymous":
            # A public page may opt in to caching; nothing else is stored.
            assert "no-store" in cache_control or "public" in cache_control, path
        else:
            assert cache_control == "no-store", path


def test_the_walk_reaches_the_account_security_and_admin_pages(client, request):
    pages = html_pages_as(client, "admin_user", request)

    for path in ["/accounts/2fa/", "/accounts/sessions/", "/admin/", "/admin/audit/auditevent/"]:
        assert path in pages


def test_a_signed_in_page_is_never_cacheable_even_if_a_view_asks(applicant):
    def cached_view(request):
        response = HttpResponse("passport number")
        response["Cache-Control"] = "public, max-age=600"
        return response

    class Request:
        user = applicant

    assert PrivacyHeadersMiddleware(cached_view)(Request())["Cache-Control"] == "no-store"


def test_a_nonce_is_sent_when_a_page_uses_one(rf):
    def view(request):
        html = Template('<script nonce="{{ request.csp_nonce }}">1</script>').render(Context({"request": request}))
        return HttpResponse(html)

    response = CSPMiddleware(view)(rf.get("/"))

    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in script_sources(response["Content-Security-Policy"])
