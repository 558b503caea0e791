"""The reminders ledger becomes the outbox of every e-mail: a key and a payload for messages caused
by a change, the reason a message was closed, and two new end states (expired, cancelled).

Existing rows: the error class is read off the stored error; reminders that had been given up
(`failed`) while still useful (their deadline ahead) are reopened, since the outbox now retries
while a message is useful. Backwards: the new end states fold into the old ones and messages
without a due day (which the old ledger cannot hold) are removed."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def forwards(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    for pk, last_error in Reminder.objects.exclude(last_error="").values_list("pk", "last_error").iterator():
        Reminder.objects.filter(pk=pk).update(last_error_class=last_error.split(":", 1)[0][:100])
    Reminder.objects.filter(status="failed").filter(
        Q(deadline__gt=timezone.now()) | Q(deadline__isnull=True, due__gte=timezone.now().date())
    ).update(status="pending", next_attempt_at=timezone.now(), queued_at=None)


def backwards(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Reminder.objects.filter(due__isnull=True).delete()
    Reminder.objects.filter(status="expired").update(status="failed")
    Reminder.objects.filter(status="cancelled").update(status="skipped")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_reverse_drops_address_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reminder",
            options={"ordering": ["-created_at"], "verbose_name": "outbox message", "verbose_name_plural": "outbox"},
        ),
        migrations.AddField(
            model_name="reminder",
            name="closed_reason",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="reminder",
            name="key",
            field=models.CharField(
                blank=True, help_text="The key of a message caused by a change.", max_length=150, null=True, unique=True
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="last_error_class",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="reminder",
            name="payload",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="deadline",
            field=models.DateTimeField(blank=True, help_text="Never sent after this moment.", null=True),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="due",
            field=models.DateField(
                blank=True, help_text="The day, in the recipient's time zone, a reminder is for.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Claimed, sending"),
                    ("sent", "Sent"),
                    ("skipped", "Skipped (switched off or subject gone)"),
                    ("failed", "Failed (gave up)"),
                    ("expired", "Expired (no longer useful, never sent late)"),
                    ("cancelled", "Cancelled by an admin"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["sent_at"], name="outbox_sent_at_idx"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
