"""The newest-first index also carries the eligibility rules' columns (PostgreSQL only, as in 0007).

"Only where I am eligible" without a text lists the applicant's listings newest first: PostgreSQL
walks this index and tests each listing's rules. Without the columns in the index, each listing
tested was a visit to the table; for an applicant eligible for few listings, that was most of the
table for one page. With them, the walk reads the index alone."""

from django.db import migrations

NEWEST_INDEX = "listing_published_newest"
RULES = [
    "accepts_students",
    "accepts_graduates",
    "requires_ecfmg_certification",
    "requires_step1_pass",
    "min_step2_score",
    "english_test",
    "max_years_since_graduation",
    "accepted_visa_codes",
    "stored_next_start",
]


def _recreate(include: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        covering = f" INCLUDE ({', '.join(include)})" if include else ""
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEWEST_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX {NEWEST_INDEX} ON placements_listing (published_at DESC NULLS LAST, id DESC){covering} "
            "WHERE status = 'published'"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0016_listing_published_cost_index"),
    ]

    operations = [
        migrations.RunPython(_recreate(RULES), _recreate([])),
    ]
