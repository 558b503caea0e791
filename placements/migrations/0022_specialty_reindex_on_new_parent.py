"""A specialty moved under another parent (or none) re-indexes its listings (PostgreSQL only).

A listing's search document holds its specialty's name and its parent's (migration 0004). Migration
0014's trigger re-indexed the listings on a rename only, so a specialty moved under another parent kept
the old parent's name in its listings' documents: found by the old parent's name, not by the new one's.
The trigger now fires on a new parent too; its function, which re-indexes the specialty's own listings
and its subspecialties', is unchanged.

Reversible: the reverse restores migration 0014's trigger.
"""

from django.db import migrations

from placements.migrations._postgresql import run_on_postgresql

DROP = "DROP TRIGGER IF EXISTS placements_specialty_reindex_listings_trg ON placements_specialty;"

FORWARD_SQL = [
    DROP,
    """
    CREATE TRIGGER placements_specialty_reindex_listings_trg
    AFTER UPDATE OF name, parent_id ON placements_specialty FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.parent_id IS DISTINCT FROM NEW.parent_id)
    EXECUTE FUNCTION placements_specialty_reindex_listings();
    """,
]

# Migration 0014's trigger.
REVERSE_SQL = [
    DROP,
    """
    CREATE TRIGGER placements_specialty_reindex_listings_trg
    AFTER UPDATE OF name ON placements_specialty FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION placements_specialty_reindex_listings();
    """,
]


class Migration(migrations.Migration):
    dependencies = [("placements", "0021_search_document_waits_for_renames")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL), elidable=False),
    ]
