"""On PostgreSQL the audit table refuses TRUNCATE too, and only its owner keeps the right to change rows.

A statement-level trigger refuses TRUNCATE whoever runs it (even the owner, even a superuser unless
they turn triggers off with session_replication_role, which the runtime role may not set). The
runtime role normally holds no TRUNCATE, UPDATE or DELETE on the table at all (docs/audit.md): the
default privileges `create_db_roles` sets up grant them on every new table, this one included when
a fresh database is migrated, so they are revoked here from everyone but the owner.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
"""

# Every role but the table's owner that was granted a way to change rows loses it.
REVOKE = """
DO $$
DECLARE grantee_name name;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT r.rolname
        FROM pg_class c, aclexplode(c.relacl) acl, pg_roles r
        WHERE c.oid = 'audit_auditevent'::regclass
          AND acl.grantee = r.oid AND acl.grantee <> c.relowner
          AND acl.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_auditevent FROM %I',
                       grantee_name);
    END LOOP;
    REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_auditevent FROM PUBLIC;
END
$$;
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
        schema_editor.execute(REVOKE, params=None)


def drop_trigger(apps, schema_editor):
    # The revoked privileges are not given back: `create_db_roles` decides them.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_read_subject_and_institution")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
