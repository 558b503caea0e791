"""The listing's stored next deadline and next start (for the search's two date sorts), their partial
indexes, and on PostgreSQL the trigger that keeps them as sessions change (`placements.listing_dates`)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from placements.migrations._postgresql import run_on_postgresql

# One listing's values from its live sessions, as of the transaction's time. The same rule as
# placements.listing_dates.recompute and ListingQuerySet.with_session_summary (dates in UTC).
FORWARD_SQL = [
    """
    CREATE OR REPLACE FUNCTION placements_listing_recompute_dates(listing bigint) RETURNS void AS $$
        UPDATE placements_listing SET
            stored_next_start = (
                SELECT min(s.start_date) FROM placements_session s
                WHERE s.listing_id = listing AND NOT s.is_archived
                  AND s.start_date >= (now() AT TIME ZONE 'UTC')::date),
            stored_next_deadline = (
                SELECT min(s.applications_close_at) FROM placements_session s
                WHERE s.listing_id = listing AND NOT s.is_archived AND s.applications_close_at > now())
        WHERE id = listing;
    $$ LANGUAGE sql;
    """,
    """
    CREATE OR REPLACE FUNCTION placements_session_listing_dates() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            PERFORM placements_listing_recompute_dates(NEW.listing_id);
        END IF;
        IF TG_OP = 'DELETE' OR OLD.listing_id <> NEW.listing_id THEN
            PERFORM placements_listing_recompute_dates(OLD.listing_id);
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """,
    # Per row, and only when a column the dates read changes (not on a change of seats).
    """
    CREATE TRIGGER placements_session_listing_dates_trg
    AFTER INSERT OR DELETE OR UPDATE OF listing_id, start_date, applications_close_at, is_archived
    ON placements_session FOR EACH ROW EXECUTE FUNCTION placements_session_listing_dates();
    """,
]

REVERSE_SQL = [
    "DROP TRIGGER IF EXISTS placements_session_listing_dates_trg ON placements_session;",
    "DROP FUNCTION IF EXISTS placements_session_listing_dates();",
    "DROP FUNCTION IF EXISTS placements_listing_recompute_dates(bigint);",
]


def backfill(apps, schema_editor):
    Listing = apps.get_model("placements", "Listing")
    Session = apps.get_model("placements", "Session")
    now = timezone.now()
    sessions = Session.objects.filter(listing=OuterRef("pk"), is_archived=False).order_by()
    Listing.objects.update(
        stored_next_start=Subquery(
            sessions.filter(start_date__gte=now.date()).order_by("start_date").values("start_date")[:1]
        ),
        stored_next_deadline=Subquery(
            sessions.filter(applications_close_at__gt=now)
            .order_by("applications_close_at")
            .values("applications_close_at")[:1]
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0009_session_listing_upcoming"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="stored_next_deadline",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="listing",
            name="stored_next_start",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        # Filled before the indexes are built: one pass, not one index entry rewritten per row.
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["stored_next_deadline", "-id"],
                name="listing_published_deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["stored_next_start", "-id"],
                name="listing_published_start",
            ),
        ),
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL)),
    ]
