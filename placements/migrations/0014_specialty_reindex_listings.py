"""A renamed specialty re-indexes its listings and its subspecialties' listings, as a renamed
institution already does (migration 0004): the listing's search document holds the specialty's name
and its parent's. PostgreSQL only; SQLite's search reads the names at query time."""

from django.db import migrations

from placements.migrations._postgresql import run_on_postgresql

FORWARD_SQL = [
    """
    CREATE OR REPLACE FUNCTION placements_specialty_reindex_listings() RETURNS trigger AS $$
    BEGIN
        -- Touching search_vector fires the listing's own trigger, which recomputes the document.
        UPDATE placements_listing SET search_vector = NULL
        WHERE specialty_id = NEW.id
           OR specialty_id IN (SELECT id FROM placements_specialty WHERE parent_id = NEW.id);
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER placements_specialty_reindex_listings_trg
    AFTER UPDATE OF name ON placements_specialty FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION placements_specialty_reindex_listings();
    """,
]

REVERSE_SQL = [
    "DROP TRIGGER IF EXISTS placements_specialty_reindex_listings_trg ON placements_specialty;",
    "DROP FUNCTION IF EXISTS placements_specialty_reindex_listings();",
]


class Migration(migrations.Migration):
    dependencies = [("placements", "0013_facets_index_stored_next_start")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL), elidable=False),
    ]
