"""`manage.py pg_database_settings`: the planner settings stored on the database, for connections
through a transaction pooler (docs/deployment.md). PostgreSQL only."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.management.commands.pg_database_settings import database_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("ALTER DATABASE ... SET is PostgreSQL's: run with DATABASE_URL=postgres://...")


def test_it_stores_the_portals_planner_settings_on_the_database(settings):
    settings.PORTAL_PG_SETTINGS = {"jit": "off", "random_page_cost": "1.1"}

    call_command("pg_database_settings")

    stored = database_settings()
    assert (stored["jit"], stored["random_page_cost"]) == ("off", "1.1")
    call_command("pg_database_settings", "--check")  # agrees now


def test_a_setting_the_portal_no_longer_wants_goes_back_to_the_servers(settings):
    settings.PORTAL_PG_SETTINGS = {"jit": "off", "random_page_cost": "1.1"}
    call_command("pg_database_settings")
    settings.PORTAL_PG_SETTINGS = {"jit": "off"}  # PORTAL_PG_RANDOM_PAGE_COST set empty

    call_command("pg_database_settings")

    assert "random_page_cost" not in database_settings()


def test_check_fails_when_the_database_differs_and_changes_nothing(settings):
    settings.PORTAL_PG_SETTINGS = {"jit": "off", "random_page_cost": "1.1"}
    call_command("pg_database_settings")
    settings.PORTAL_PG_SETTINGS = {"jit": "off", "random_page_cost": "2.0"}

    with pytest.raises(CommandError, match="random_page_cost"):
        call_command("pg_database_settings", "--check")

    assert database_settings()["random_page_cost"] == "1.1"
