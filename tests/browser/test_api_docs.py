"""The interactive docs run under the portal's CSP: served from our static files, no violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_operations_without_a_csp_violation(desktop_page):
    problems = []
    desktop_page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    desktop_page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    external = []
    desktop_page.on(
        "request",
        lambda r: (
            external.append(r.url) if not r.url.startswith(("http://localhost", "http://127.0.0.1", "data:")) else None
        ),
    )
    desktop_page.goto("/api/docs/")
    expect(desktop_page.get_by_text("/api/v1/listings/", exact=True).first).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p or "failed" in p], problems
    assert external == []
