"""The search facets' covering index also carries the listing's stored next start, so that the
"only where I am eligible" graduation-year rule reads it on the row (applicants.eligibility)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0012_matches_covering_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="listing",
            name="listing_published_facets",
        ),
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
                ),
                name="listing_published_facets",
            ),
        ),
    ]
