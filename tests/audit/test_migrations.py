"""The append-only trigger migration goes both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def trigger_installed() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_append_only'")
        return cursor.fetchone()[0] == 1


def migrate_audit_to(name: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("audit", name)])


def test_the_trigger_migration_is_reversible():
    migrate_audit_to("0001_initial")
    assert not trigger_installed()

    migrate_audit_to("0002_append_only_trigger")
    assert trigger_installed() == (connection.vendor == "postgresql")
