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


def latest_audit_migration() -> str:
    return MigrationExecutor(connection).loader.graph.leaf_nodes("audit")[0][1]


def test_the_trigger_migration_is_reversible():
    latest = latest_audit_migration()
    try:
        migrate_audit_to("0001_initial")
        assert not trigger_installed()

        migrate_audit_to("0002_append_only_trigger")
        assert trigger_installed() == (connection.vendor == "postgresql")
    finally:
        # Every later test (the browser tests' live server too) needs the audit table as migrated.
        migrate_audit_to(latest)
