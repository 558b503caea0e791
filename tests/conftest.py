"""Fixtures shared by every test: named personas (healthchecks' alice/bob/charlie) and the browser."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; ORM calls from the test body are
# still synchronous and safe, so allow them (see docs/testing.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Transactional tests end with a flush, one TRUNCATE of every table, which the audit table's
    trigger refuses (audit migration "refuse_truncate"). The test runner is the database superuser:
    it empties the tables with triggers off, as a restore would; the application's role cannot."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica;", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits and our own live in the cache: every test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put the migration-seeded specialties and visas back before every transactional test.

    Transactional tests (live_server, django_db(transaction=True)) flush the database when they
    end, rows from data migrations included, so whichever ran first would leave the next without them.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        return
    from tests.reference_data import reseed

    request.getfixturevalue("transactional_db")
    reseed()


@pytest.fixture
def applicant(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(email="alice@example.org", full_name="Alice Applicant")


@pytest.fixture
def other_applicant(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(email="bob@example.org", full_name="Bob Applicant")


@pytest.fixture
def institution(db):
    from tests.placements.factories import InstitutionFactory

    return InstitutionFactory(name="Lakeshore University Medical Center", city="Chicago", state="IL")


@pytest.fixture
def coordinator(institution):
    from tests.placements.factories import CoordinatorFactory

    return CoordinatorFactory(email="carol@example.org", full_name="Carol Coordinator", institution=institution)


@pytest.fixture
def other_coordinator(db):
    """A coordinator of another institution: an outsider to `institution`."""
    from tests.placements.factories import CoordinatorFactory

    return CoordinatorFactory(email="dave@example.org", full_name="Dave Elsewhere")


@pytest.fixture
def admin_user(db):
    from tests.accounts.factories import AdminFactory

    return AdminFactory(email="erin@example.org", full_name="Erin Admin")


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`.")
        pytest.skip(f"Chromium not found at {CHROMIUM}; browser tests skipped (apt-get install chromium).")
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: CI shares two cores with PostgreSQL, Redis and the live server.
    expect.set_options(timeout=15_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reference_data(transactional_db):
    """Explicit form of what `_reference_data` does for every transactional test."""
    from tests.reference_data import reseed

    reseed()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()
