"""In a real browser the Content Security Policy runs the nonced script and blocks the others."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.security.csp_urls")]


def test_an_inline_script_without_the_nonce_is_blocked_while_the_nonced_one_runs(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    page.goto("/csp-probe/")

    expect(page.locator("#nonced")).to_have_text("ran")
    expect(page.locator("#inline")).to_have_text("not run")
    expect(page.locator("#handler")).to_have_text("not run")
    assert any("script-src" in v for v in violations), violations


def test_another_site_cannot_frame_the_portal(page, live_server):
    page.goto("/")  # the portal itself renders
    expect(page.get_by_role("link", name="USCE Portal")).to_be_visible()

    page.set_content(f'<iframe title="attacker" src="{live_server.url}/"></iframe>')
    frame = page.frames[1]
    frame.wait_for_load_state()

    # Chromium replaces a refused frame with its error page: nothing of the portal is shown.
    assert frame.url.startswith("chrome-error://"), frame.url
    assert frame.locator("text=USCE Portal").count() == 0
