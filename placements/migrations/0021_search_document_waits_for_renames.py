"""The listing's search document reads committed names of its institution and specialty (PostgreSQL).

A renamed institution (or specialty) re-indexes its listings in an AFTER trigger (migrations 0004,
0014): one UPDATE of the listings it can see. A listing inserted by another transaction while the
rename was uncommitted read the old name and was not yet visible to that UPDATE; so was a listing
moved to that institution or specialty. Both kept the old name in their document until their next
edit: a search for the new name missed them.

Now the listing's trigger, for a new listing or one moved to another institution or specialty, first
takes FOR SHARE on the institution and on the specialty and its parent, in statements of their own.
FOR SHARE conflicts with the rename's row lock (FOR NO KEY UPDATE), either way round:
* the rename came first: the listing waits for its commit, and the names are read in the next
  statement, whose fresh snapshot (VOLATILE plpgsql, READ COMMITTED) sees the new ones;
* the listing came first: the rename waits for the listing's commit, and its re-indexing UPDATE (a
  statement of the AFTER trigger, with a snapshot of its own) then sees the listing.
An edit that keeps the listing where it is takes no lock: the rename's UPDATE waits on that listing's
row lock, then re-reads the row and recomputes it itself. Never taking the institution's lock while
holding an existing listing's row lock that the rename's UPDATE wants is what keeps the two from
deadlocking. The function is 0004's with the locks put first: the same names, the same document.

Reversible: the reverse restores migration 0004's function.
"""

import importlib

from django.db import migrations

from placements.migrations._postgresql import run_on_postgresql

# Migration 0004's function, as it created it.
REVERSE_SQL = [importlib.import_module("placements.migrations.0004_listing_search_trigger").FORWARD_SQL[0]]

# The same function with the locks first: the names are read after them, in statements of their own.
LOCKS = """
        -- Wait here for a rename in progress of the institution or specialty this listing joins (see
        -- the migration's docstring); the names below are then read with a snapshot after its commit.
        IF TG_OP = 'INSERT' OR NEW.institution_id IS DISTINCT FROM OLD.institution_id THEN
            PERFORM 1 FROM placements_institution WHERE id = NEW.institution_id FOR SHARE;
        END IF;
        IF TG_OP = 'INSERT' OR NEW.specialty_id IS DISTINCT FROM OLD.specialty_id THEN
            PERFORM 1 FROM placements_specialty
            WHERE id = NEW.specialty_id
               OR id = (SELECT parent_id FROM placements_specialty WHERE id = NEW.specialty_id)
            ORDER BY id FOR SHARE;
        END IF;"""
FORWARD_SQL = [
    REVERSE_SQL[0]
    .replace("    BEGIN", "    BEGIN" + LOCKS, 1)
    .replace("LANGUAGE plpgsql;", "LANGUAGE plpgsql VOLATILE;")
]
assert FORWARD_SQL[0].count("FOR SHARE") == 2 and "VOLATILE" in FORWARD_SQL[0]


class Migration(migrations.Migration):
    dependencies = [("placements", "0020_listing_dates_lock_listing_first")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL), elidable=False),
    ]
