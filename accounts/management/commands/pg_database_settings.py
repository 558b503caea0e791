"""manage.py pg_database_settings [--check]: PORTAL_PG_SETTINGS stored on the database itself.

Behind PgBouncer in transaction mode (PORTAL_PG_POOLER=transaction, docs/deployment.md) the portal
cannot set the planner's parameters per connection: the pooler refuses startup options, and a
session-level SET would stay on a server connection that the next transaction hands to another
client. `ALTER DATABASE ... SET` makes them the database's defaults, which every new server
connection starts from, whoever it serves. Run it after `migrate`, as the database's owner; the
pooler's existing server connections keep their old values until they are replaced (PgBouncer's
RECONNECT, or server_lifetime). The portal is not an app: its site-wide commands live here.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

# Every parameter the portal may set. One it no longer wants (PORTAL_PG_JIT=1, an empty
# PORTAL_PG_RANDOM_PAGE_COST) is reset to the server's value.
MANAGED = ("jit", "random_page_cost")


def database_settings() -> dict[str, str]:
    """The parameters stored on the current database for every role (pg_db_role_setting)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unnest(setconfig) FROM pg_db_role_setting WHERE setrole = 0 "
            "AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return dict(row[0].split("=", 1) for row in cursor.fetchall())


class Command(BaseCommand):
    help = (
        "Store PORTAL_PG_SETTINGS (jit, random_page_cost) on the database with ALTER DATABASE ... SET, "
        "for connections through a transaction pooler. --check changes nothing and fails if they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if the database's values differ; change nothing."
        )

    def handle(self, *args, check=False, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: nothing to store.")
            return
        wanted = {name: value for name, value in settings.PORTAL_PG_SETTINGS.items() if name in MANAGED}
        stored = {name: value for name, value in database_settings().items() if name in MANAGED}
        if check:
            if stored != wanted:
                raise CommandError(f"The database's planner settings are {stored}, the portal's {wanted}.")
            self.stdout.write(f"The database's planner settings are the portal's: {wanted}.")
            return
        database = sql.Identifier(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            for name in MANAGED:
                if name in wanted:
                    statement = sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                        database, sql.Identifier(name), sql.Literal(wanted[name])
                    )
                else:
                    statement = sql.SQL("ALTER DATABASE {} RESET {}").format(database, sql.Identifier(name))
                cursor.execute(statement)
        self.stdout.write(f"Stored on database {connection.settings_dict['NAME']}: {wanted or 'the server defaults'}.")
