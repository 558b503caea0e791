"""A round can be cancelled: a third status, with the moment it was cancelled.

Backwards, a cancelled round cannot stay as it is (the old constraint knows two statuses). It
becomes a round published with nobody matched at its cancellation time: like a cancelled round it
makes no offer and takes no rank list, whereas turning it back to "open" would let the beat run
its match.
"""

from django.db import migrations, models


def cancelled_to_published_empty(apps, schema_editor):
    Round = apps.get_model("rounds", "Round")
    Round.objects.filter(status="cancelled").update(
        status="published",
        published_at=models.F("cancelled_at"),
        cancelled_at=None,
        matched_count=0,
        unmatched_count=0,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0002_beat_schedule"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="round",
            name="round_published_has_time",
        ),
        migrations.AddField(
            model_name="round",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="round",
            name="status",
            field=models.CharField(
                choices=[("open", "Open for ranking"), ("published", "Results published"), ("cancelled", "Cancelled")],
                db_index=True,
                default="open",
                max_length=10,
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, cancelled_to_published_empty),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("cancelled_at__isnull", True), ("published_at__isnull", True), ("status", "open")),
                    models.Q(("cancelled_at__isnull", True), ("published_at__isnull", False), ("status", "published")),
                    models.Q(("cancelled_at__isnull", False), ("published_at__isnull", True), ("status", "cancelled")),
                    _connector="OR",
                ),
                name="round_status_has_its_time",
            ),
        ),
    ]
