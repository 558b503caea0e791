"""Covering indexes for "Matches for you" (applicants.ranking): the published listings of a few
specialties or institutions with their eligibility columns, and a listing's live sessions."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0011_refresh_listing_dates_schedule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["specialty"],
                include=(
                    "id",
                    "institution",
                    "accepts_students",
                    "accepts_graduates",
                    "requires_ecfmg_certification",
                    "requires_step1_pass",
                    "min_step2_score",
                    "english_test",
                    "max_years_since_graduation",
                    "accepted_visa_codes",
                ),
                name="listing_pub_specialty_rules",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["institution"],
                include=(
                    "id",
                    "specialty",
                    "accepts_students",
                    "accepts_graduates",
                    "requires_ecfmg_certification",
                    "requires_step1_pass",
                    "min_step2_score",
                    "english_test",
                    "max_years_since_graduation",
                    "accepted_visa_codes",
                ),
                name="listing_pub_institution_rules",
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("is_archived", False)),
                fields=["listing"],
                include=("id", "start_date", "applications_close_at"),
                name="session_live_by_listing",
            ),
        ),
    ]
