"""The two PostgreSQL roles the portal runs as, so the application cannot rewrite its own audit log.

- The *owner* role owns the schema's tables and runs `migrate`; nothing else connects as it.
- The *runtime* role (web, worker, beat) owns nothing. It may read and write the application's
  tables, but on the audit table only INSERT and SELECT. Owning nothing, it cannot ALTER, DROP or
  TRUNCATE a table nor disable a trigger; not a superuser, it cannot set session_replication_role.

`role_statements` is the whole recipe, idempotent: run it again after restoring a dump or adding
tables by hand. Default privileges give the runtime role its rights on every table the owner
creates later; the audit migration takes UPDATE, DELETE and TRUNCATE back on the audit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

AUDIT_TABLE = "audit_auditevent"
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
# What the runtime role must never hold on the audit table.
AUDIT_REVOKED = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple = ()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def role_statements(
    *,
    owner: str,
    runtime: str,
    database: str,
    existing_roles: set[str],
    owner_password: str | None = None,
    runtime_password: str | None = None,
    relations: Sequence[tuple[str, str, str]] = (),  # (name, kind, current owner) of the schema's tables/views
) -> list[Statement]:
    """The statements that create or update both roles and their rights, in order."""
    o, r = _q(owner), _q(runtime)
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    out: list[Statement] = []
    for role, password in ((owner, owner_password), (runtime, runtime_password)):
        verb = "ALTER" if role in existing_roles else "CREATE"
        if password:
            out.append(Statement(f"{verb} ROLE {_q(role)} {attributes} PASSWORD %s", (password,)))
        else:
            out.append(Statement(f"{verb} ROLE {_q(role)} {attributes}"))
    db = _q(database)
    out += [
        Statement(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {o}, {r}"),
        # Only the owner creates objects; the runtime role may only use the schema.
        Statement("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        Statement(f"GRANT USAGE, CREATE ON SCHEMA public TO {o}"),
        Statement(f"GRANT USAGE ON SCHEMA public TO {r}"),
        Statement(f"REVOKE CREATE ON SCHEMA public FROM {r}"),
    ]
    # Tables made before the roles existed (a database migrated as the superuser) move to the owner;
    # ALTER TABLE takes their sequences along.
    keyword = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
    for name, kind, current in relations:
        if kind in keyword and current != owner:
            out.append(Statement(f"ALTER {keyword[kind]} {_q(name)} OWNER TO {o}"))
    out += [
        Statement(f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public TO {r}"),
        Statement(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}"),
        Statement(f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT {TABLE_RIGHTS} ON TABLES TO {r}"),
        Statement(f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}"),
    ]
    names = {name for name, _kind, _owner in relations}
    if AUDIT_TABLE in names:
        out.append(Statement(f"REVOKE {AUDIT_REVOKED} ON {AUDIT_TABLE} FROM {r}"))
        out.append(Statement(f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {r}"))
    if "django_migrations" in names:  # the schema's history is the owner's to write
        out.append(Statement(f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {r}"))
    return out


def relations_in_public(cursor) -> list[tuple[str, str, str]]:
    cursor.execute(
        """
        SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
        ORDER BY c.relname
        """
    )
    return [tuple(row) for row in cursor.fetchall()]


def existing_roles(cursor, names: list[str]) -> set[str]:
    cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [names])
    return {row[0] for row in cursor.fetchall()}
