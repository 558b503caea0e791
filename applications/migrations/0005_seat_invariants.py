"""Seat invariants the database holds for every writer (services, admin, raw ORM updates, COPY):

- places held (open offers; accepted, enrolled or completed places) never exceed a session's seats,
  and an archived session has no open offer: a constraint trigger, deferred to COMMIT, that counts
  under the session's row lock (PostgreSQL only; SQLite keeps the services' checks);
- one seat-holding application per applicant and session (partial unique index);
- a waitlist position is unique within a session (partial unique index).

Waitlists are renumbered first (1, 2, ... in their present order) so that the index can be built
on any existing database.
"""

from django.db import migrations, models

# applications.states.SEAT_HOLDING as this migration was written; a test checks the trigger agrees.
HOLDING = "('offered', 'accepted', 'enrolled', 'completed')"

FORWARD_SQL = [
    f"""
    CREATE FUNCTION applications_session_places_check() RETURNS trigger AS $$
    DECLARE
        sid bigint;
        s record;
        accepted integer;
        offered integer;
    BEGIN
        IF TG_TABLE_NAME = 'placements_session' THEN
            sid := NEW.id;
        ELSE
            sid := NEW.session_id;
        END IF;
        -- The row lock the services take before they count (applications.seats.lock_session; FOR NO KEY
        -- UPDATE conflicts with their FOR UPDATE and with itself, not with foreign-key checks). A writer
        -- that skipped it waits here for the one holding it to commit, then counts what that one wrote.
        SELECT seats, is_archived INTO s FROM placements_session WHERE id = sid FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        SELECT count(*) FILTER (WHERE status <> 'offered'), count(*) FILTER (WHERE status = 'offered')
          INTO accepted, offered
          FROM applications_application
         WHERE session_id = sid AND status IN {HOLDING};
        IF accepted + offered > s.seats THEN
            RAISE EXCEPTION 'session % would hold % places on % seats', sid, accepted + offered, s.seats
                USING ERRCODE = 'check_violation', CONSTRAINT = 'session_places_within_seats',
                      DETAIL = format('session=%s seats=%s accepted=%s offered=%s', sid, s.seats, accepted, offered);
        END IF;
        IF s.is_archived AND offered > 0 THEN
            RAISE EXCEPTION 'archived session % would have % open offers', sid, offered
                USING ERRCODE = 'check_violation', CONSTRAINT = 'session_archived_no_open_offers',
                      DETAIL = format('session=%s seats=%s accepted=%s offered=%s', sid, s.seats, accepted, offered);
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """,
    # Only a row that starts holding a place (or changes session) can break the rule; moves between
    # holding states (accepted to enrolled) and releases skip the count.
    f"""
    CREATE CONSTRAINT TRIGGER session_places_within_seats_on_insert
    AFTER INSERT ON applications_application DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status IN {HOLDING})
    EXECUTE FUNCTION applications_session_places_check();
    """,
    f"""
    CREATE CONSTRAINT TRIGGER session_places_within_seats_on_update
    AFTER UPDATE OF status, session_id ON applications_application DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status IN {HOLDING} AND (OLD.status NOT IN {HOLDING} OR OLD.session_id <> NEW.session_id))
    EXECUTE FUNCTION applications_session_places_check();
    """,
    """
    CREATE CONSTRAINT TRIGGER session_places_within_seats_on_session
    AFTER UPDATE OF seats, is_archived ON placements_session DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.seats < OLD.seats OR (NEW.is_archived AND NOT OLD.is_archived))
    EXECUTE FUNCTION applications_session_places_check();
    """,
]

REVERSE_SQL = [
    "DROP TRIGGER IF EXISTS session_places_within_seats_on_session ON placements_session;",
    "DROP TRIGGER IF EXISTS session_places_within_seats_on_update ON applications_application;",
    "DROP TRIGGER IF EXISTS session_places_within_seats_on_insert ON applications_application;",
    "DROP FUNCTION IF EXISTS applications_session_places_check();",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)  # no placeholders: RAISE uses %

    return run


def renumber_waitlists(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    waiting = Application.objects.filter(status="waitlisted").order_by(
        "session_id", "waitlist_position", "submitted_at", "id"
    )
    position, session_id, changed = 0, None, []
    for application in waiting.only("id", "session_id", "waitlist_position"):
        position = position + 1 if application.session_id == session_id else 1
        session_id = application.session_id
        if application.waitlist_position != position:
            application.waitlist_position = position
            changed.append(application)
    # Before the unique index exists: no order of these updates can collide.
    Application.objects.bulk_update(changed, ["waitlist_position"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_application_profile_path"),
        ("placements", "0005_session_is_archived"),
    ]

    operations = [
        migrations.RunPython(renumber_waitlists, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["accepted", "completed", "enrolled", "offered"])),
                fields=("applicant", "session"),
                name="application_one_seat_per_applicant_session",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "waitlisted")),
                fields=("session", "waitlist_position"),
                name="application_waitlist_position_unique",
            ),
        ),
        migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(REVERSE_SQL)),
    ]
