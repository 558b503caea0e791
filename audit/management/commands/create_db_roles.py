"""Create (or bring up to date) the PostgreSQL owner and runtime roles: see audit/db_roles.py and
docs/audit.md. Run it connected as a superuser (or a role with CREATEROLE that owns the database)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from audit.db_roles import existing_roles, relations_in_public, role_statements


class Command(BaseCommand):
    help = "Create the database owner role (runs migrate) and the runtime role (owns nothing), with their grants."

    def add_arguments(self, parser):
        parser.add_argument("--owner", default=os.environ.get("DATABASE_OWNER_ROLE", "usce_owner"))
        parser.add_argument("--runtime", default=os.environ.get("DATABASE_RUNTIME_ROLE", "usce_app"))
        parser.add_argument("--database", default="default", help="Django database alias to connect with.")
        parser.add_argument(
            "--print-sql", action="store_true", help="Print the statements instead of running them (no passwords)."
        )

    def handle(self, *args, owner, runtime, database, print_sql, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's: DATABASE_URL does not point at PostgreSQL.")
        if owner == runtime:
            raise CommandError("The owner and the runtime role must be two different roles.")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            statements = role_statements(
                owner=owner,
                runtime=runtime,
                database=connection.settings_dict["NAME"],
                existing_roles=existing_roles(cursor, [owner, runtime]),
                # Passwords come from the environment only, never the command line (ps, shell history).
                owner_password=None if print_sql else os.environ.get("DATABASE_OWNER_PASSWORD"),
                runtime_password=None if print_sql else os.environ.get("DATABASE_RUNTIME_PASSWORD"),
                relations=relations_in_public(cursor),
            )
            for statement in statements:
                if print_sql:
                    self.stdout.write(statement.sql + ";")
                else:
                    cursor.execute(statement.sql, statement.params or None)
        if not print_sql:
            self.stdout.write(f"Roles ready: {owner} owns the schema and runs migrate; {runtime} runs the portal.")
