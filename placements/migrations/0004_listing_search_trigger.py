"""PostgreSQL full-text search for listings: a trigger that keeps `search_vector` current and a GIN
index on it. SQLite has neither (search falls back to icontains there), so both steps are no-ops on it.

A trigger rather than Python: bulk inserts (seed_demo --listings 100000), the admin, the API and
raw updates all keep the document current without anyone remembering to refresh it.
"""

from django.db import migrations

from placements.migrations._postgresql import run_on_postgresql

FORWARD_SQL = [
    """
    CREATE OR REPLACE FUNCTION placements_listing_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce((
                SELECT s.name || ' ' || coalesce(p.name, '')
                FROM placements_specialty s LEFT JOIN placements_specialty p ON p.id = s.parent_id
                WHERE s.id = NEW.specialty_id), '')), 'A') ||
            setweight(to_tsvector('english', coalesce((
                SELECT i.name || ' ' || i.city FROM placements_institution i WHERE i.id = NEW.institution_id
            ), '')), 'B') ||
            setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER placements_listing_search_vector_trg
    BEFORE INSERT OR UPDATE OF title, description, specialty_id, institution_id, search_vector
    ON placements_listing FOR EACH ROW EXECUTE FUNCTION placements_listing_search_vector();
    """,
    # A renamed institution re-indexes its listings (touching search_vector fires the trigger above).
    """
    CREATE OR REPLACE FUNCTION placements_institution_reindex_listings() RETURNS trigger AS $$
    BEGIN
        UPDATE placements_listing SET search_vector = NULL WHERE institution_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER placements_institution_reindex_listings_trg
    AFTER UPDATE OF name, city ON placements_institution FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.city IS DISTINCT FROM NEW.city)
    EXECUTE FUNCTION placements_institution_reindex_listings();
    """,
    "CREATE INDEX placements_listing_search_gin ON placements_listing USING gin (search_vector);",
    # Fill the document for listings that existed before the trigger.
    "UPDATE placements_listing SET search_vector = NULL;",
]

REVERSE_SQL = [
    "DROP INDEX IF EXISTS placements_listing_search_gin;",
    "DROP TRIGGER IF EXISTS placements_institution_reindex_listings_trg ON placements_institution;",
    "DROP FUNCTION IF EXISTS placements_institution_reindex_listings();",
    "DROP TRIGGER IF EXISTS placements_listing_search_vector_trg ON placements_listing;",
    "DROP FUNCTION IF EXISTS placements_listing_search_vector();",
]


def backfill_published_at(apps, schema_editor):
    Listing = apps.get_model("placements", "Listing")
    for listing in Listing.objects.filter(status="published", published_at__isnull=True).only("id", "updated_at"):
        Listing.objects.filter(pk=listing.pk).update(published_at=listing.updated_at)


class Migration(migrations.Migration):
    dependencies = [("placements", "0003_listing_search_and_events")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL)),
        migrations.RunPython(backfill_published_at, migrations.RunPython.noop),
    ]
