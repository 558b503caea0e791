"""The cancelled status's migration goes both ways, a cancelled round included."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def migrate_rounds_to(name: str):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("rounds", name)])
    executor.loader.build_graph()
    return executor.loader.project_state([("rounds", name)]).apps


def test_the_cancelled_status_migration_is_reversible(institution, cardiology):
    from tests.rounds.factories import RoundFactory

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("rounds")[0][1]
    kept = RoundFactory(name="Open round", institution=institution, sessions=[cardiology])
    cancelled = RoundFactory(name="Cancelled round", institution=institution)
    cancelled_at = timezone.now()
    type(cancelled).objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at=cancelled_at)
    try:
        old = migrate_rounds_to("0002_beat_schedule")
        Round = old.get_model("rounds", "Round")
        # Without the status, a cancelled round becomes one published with nobody matched: it makes
        # no offer and takes no list, where "open" would let the beat run its match.
        assert Round.objects.get(pk=cancelled.pk).status == "published"
        assert Round.objects.get(pk=cancelled.pk).published_at == cancelled_at
        assert Round.objects.get(pk=kept.pk).status == "open"

        new = migrate_rounds_to(latest)
        Round = new.get_model("rounds", "Round")
        assert set(Round.objects.values_list("status", flat=True)) == {"open", "published"}
    finally:
        # Every later test needs the rounds tables as migrated.
        migrate_rounds_to(latest)
