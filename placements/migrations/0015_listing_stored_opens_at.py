"""The listing's stored opening (`stored_opens_at`): the earliest `applications_open_at` of the same
sessions as its stored next deadline (live, closing after the time both were computed). With it the
search's "open for applications now" is a read of the listing's own columns (placements.search),
from the facets' covering index, instead of a pass over the catalogue's open sessions.

On PostgreSQL the function of migration 0010 sets it too, and its trigger now also fires when a
session's opening changes. Reversible: the reverse restores migration 0010's function and trigger."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from placements.migrations._postgresql import run_on_postgresql

# The same rule as placements.listing_dates.recompute: the next deadline and the opening from the
# same sessions, in one pass over them.
FORWARD_SQL = [
    """
    CREATE OR REPLACE FUNCTION placements_listing_recompute_dates(listing bigint) RETURNS void AS $$
        UPDATE placements_listing SET
            stored_next_start = (
                SELECT min(s.start_date) FROM placements_session s
                WHERE s.listing_id = listing AND NOT s.is_archived
                  AND s.start_date >= (now() AT TIME ZONE 'UTC')::date),
            (stored_next_deadline, stored_opens_at) = (
                SELECT min(s.applications_close_at), min(s.applications_open_at) FROM placements_session s
                WHERE s.listing_id = listing AND NOT s.is_archived AND s.applications_close_at > now())
        WHERE id = listing;
    $$ LANGUAGE sql;
    """,
    "DROP TRIGGER IF EXISTS placements_session_listing_dates_trg ON placements_session;",
    """
    CREATE TRIGGER placements_session_listing_dates_trg
    AFTER INSERT OR DELETE OR UPDATE OF listing_id, start_date, applications_open_at, applications_close_at, is_archived
    ON placements_session FOR EACH ROW EXECUTE FUNCTION placements_session_listing_dates();
    """,
]

# Migration 0010's function and trigger.
REVERSE_SQL = [
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
    "DROP TRIGGER IF EXISTS placements_session_listing_dates_trg ON placements_session;",
    """
    CREATE TRIGGER placements_session_listing_dates_trg
    AFTER INSERT OR DELETE OR UPDATE OF listing_id, start_date, applications_close_at, is_archived
    ON placements_session FOR EACH ROW EXECUTE FUNCTION placements_session_listing_dates();
    """,
]


def backfill(apps, schema_editor):
    # All three stored values as of one time: the opening is only meaningful beside the deadline
    # computed with it.
    Listing = apps.get_model("placements", "Listing")
    Session = apps.get_model("placements", "Session")
    now = timezone.now()
    sessions = Session.objects.filter(listing=OuterRef("pk"), is_archived=False).order_by()
    ahead = sessions.filter(applications_close_at__gt=now)
    Listing.objects.update(
        stored_next_start=Subquery(
            sessions.filter(start_date__gte=now.date()).order_by("start_date").values("start_date")[:1]
        ),
        stored_next_deadline=Subquery(ahead.order_by("applications_close_at").values("applications_close_at")[:1]),
        stored_opens_at=Subquery(ahead.order_by("applications_open_at").values("applications_open_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0014_specialty_reindex_listings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="stored_opens_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        # The function and trigger first (in this transaction, so no session write falls between the
        # backfill and them), then the backfill without the covering index, built once afterwards.
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL)),
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_published_facets",
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=[
                    "kind",
                    "hands_on_level",
                    "duration_weeks",
                    "specialty",
                    "institution",
                    "requires_ecfmg_certification",
                    "lor_offered",
                ],
                include=(
                    "id",
                    "accepts_students",
                    "accepts_graduates",
                    "requires_step1_pass",
                    "min_step2_score",
                    "english_test",
                    "max_years_since_graduation",
                    "accepted_visa_codes",
                    "stored_next_start",
                    "stored_next_deadline",
                    "stored_opens_at",
                ),
                name="listing_published_facets",
            ),
        ),
    ]
