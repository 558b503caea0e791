"""The sessions' trigger locks the listing row before it reads the sessions (PostgreSQL only).

Migration 0015's function was one UPDATE whose subqueries read the sessions. Under READ COMMITTED,
when two transactions change sessions of the same listing, the second one's UPDATE waits for the
first one's lock on the listing row, then re-checks only that row: its subqueries keep the snapshot
taken before the wait, without the first one's session, and the listing kept stale dates (a later
next start, "not open") until its sessions next changed.

Now the function first takes the lock, in a statement of its own, and computes in the next one: in a
VOLATILE plpgsql function each statement takes a fresh snapshot, so the computing one starts after
the lock is granted and sees every session committed before it. The lock is FOR NO KEY UPDATE, the
one the UPDATE takes anyway: it does not block the foreign-key checks of rows inserted to the
listing (FOR KEY SHARE), as FOR UPDATE would. Same columns, same rule, same trigger.

Reversible: the reverse restores migration 0015's function.
"""

from django.db import migrations

from placements.migrations._postgresql import run_on_postgresql

FORWARD_SQL = [
    """
    CREATE OR REPLACE FUNCTION placements_listing_recompute_dates(listing bigint) RETURNS void AS $$
    BEGIN
        -- Wait here for a concurrent writer of this listing's sessions; the UPDATE below then reads
        -- the sessions with a snapshot taken after its commit.
        PERFORM 1 FROM placements_listing WHERE id = listing FOR NO KEY UPDATE;
        UPDATE placements_listing SET
            stored_next_start = (
                SELECT min(s.start_date) FROM placements_session s
                WHERE s.listing_id = listing AND NOT s.is_archived
                  AND s.start_date >= (now() AT TIME ZONE 'UTC')::date),
            (stored_next_deadline, stored_opens_at) = (
                SELECT min(s.applications_close_at), min(s.applications_open_at) FROM placements_session s
                WHERE s.listing_id = listing AND NOT s.is_archived AND s.applications_close_at > now())
        WHERE id = listing;
    END
    $$ LANGUAGE plpgsql VOLATILE;
    """,
]

# Migration 0015's function.
REVERSE_SQL = [
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
]


class Migration(migrations.Migration):
    dependencies = [("placements", "0019_facets_index_covers_response_median")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(REVERSE_SQL), elidable=False),
    ]
