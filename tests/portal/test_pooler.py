"""What must hold behind PgBouncer in transaction mode (docs/deployment.md). `make cluster-test`
runs this file, with part of the suite, through PgBouncer (PORTAL_PG_POOLER=transaction); on a
direct PostgreSQL connection the first two hold as well. PostgreSQL only."""

import pytest
from django.conf import settings
from django.db import connection

from placements.models import Specialty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections: run with DATABASE_URL=postgres://...")


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_the_planner_settings_reach_every_connection():
    # Through the pooler they come from the database (manage.py pg_database_settings), not from the
    # connection's startup options: a server connection opened for anyone starts with them.
    assert {name: show(name) for name in settings.PORTAL_PG_SETTINGS} == settings.PORTAL_PG_SETTINGS


def test_no_statement_is_prepared_on_the_server():
    # A prepared statement lives on one server connection; the next transaction may get another.
    for _ in range(10):
        list(Specialty.objects.filter(slug="internal-medicine"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0


def test_iterating_a_queryset_declares_no_server_side_cursor():
    if settings.PORTAL_PG_POOLER != "transaction":
        pytest.skip("direct connections keep server-side cursors (PORTAL_PG_POOLER is not 'transaction')")
    Specialty.objects.bulk_create([Specialty(slug=f"pooled-{i}", name=f"Pooled {i}") for i in range(25)])
    seen, open_cursors = 0, set()
    with connection.cursor() as cursor:
        for _specialty in Specialty.objects.filter(slug__startswith="pooled-").iterator(chunk_size=10):
            seen += 1
            cursor.execute("SELECT count(*) FROM pg_cursors")
            open_cursors.add(cursor.fetchone()[0])

    assert seen == 25
    assert open_cursors == {0}
