from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from placements.demo_catalogue import DEMO_SOURCE
from placements.models import Institution, Listing, Session
from placements.search import parse_params, search_listings


def seed(listings: int) -> str:
    out = StringIO()
    call_command("seed_demo", "--listings", str(listings), stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_searchable_catalogue_once(db):
    assert "40 demo listings created" in seed(40)
    assert "0 demo listings created" in seed(40)  # idempotent
    demo = Listing.objects.filter(source=DEMO_SOURCE)
    assert demo.count() == 40
    assert not demo.annotate(n=Count("accepted_visas")).filter(n=0).exists()  # visas always stated
    assert Session.objects.filter(listing__in=demo).count() >= 40
    assert Institution.objects.values("state").distinct().count() >= 20
    assert {"published", "draft"} <= set(demo.values_list("status", flat=True))
    # The demo coordinator's institution publishes some of them.
    assert demo.filter(institution__memberships__user__email="coordinator@demo.usce-portal.org").exists()
    # Full-text search (PostgreSQL trigger or bulk load; SQLite fallback) finds them.
    result = search_listings(parse_params({"q": "medicine"}))
    assert result.total > 0


def test_seed_demo_grows_an_existing_catalogue_to_the_size_asked(db):
    seed(10)
    assert "15 demo listings created" in seed(25)
    assert Listing.objects.filter(source=DEMO_SOURCE).count() == 25


def test_demo_sessions_respect_the_database_rules(db):
    seed(30)
    for session in Session.objects.all():
        assert session.end_date >= session.start_date
        assert session.applications_open_at < session.applications_close_at
        assert session.applications_close_at.date() < session.start_date


def test_the_loaded_catalogue_is_open_now_where_its_sessions_are(db):
    # COPY with the sessions' trigger off (PostgreSQL), bulk_create without signals (SQLite): the
    # loader's one recompute fills the stored opening the "open now" filter reads.
    seed(40)
    now = timezone.now()
    published = Listing.objects.published().with_session_summary(now)
    expected = {listing.pk for listing in published if listing.is_open_now}
    assert expected  # the demo has open windows
    result = search_listings(parse_params({"open_now": "1"}), page_size=100)
    assert {listing.pk for listing in result.page.object_list} == expected
    assert result.total == len(expected)


def test_the_loader_writes_each_listing_once_with_its_stored_dates(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from placements import listing_dates
    from placements.demo_catalogue import ensure_demo_catalogue

    # The loader alone (the demo's applications then write sessions, whose trigger updates listings).
    with CaptureQueriesContext(connection) as queries:
        ensure_demo_catalogue(40)
    # No UPDATE of the listings after they were loaded: one of every row would leave half the
    # table's pages as dead space that every search then reads.
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "placements_listing"')]
    stored = ["stored_next_start", "stored_next_deadline", "stored_opens_at"]
    written = {row["pk"]: row for row in Listing.objects.values("pk", *stored)}
    assert any(row["stored_next_deadline"] for row in written.values())
    listing_dates.recompute(Listing.objects.all(), timezone.now())
    assert {row["pk"]: row for row in Listing.objects.values("pk", *stored)} == written
