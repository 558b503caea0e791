"""The reminder tick in django-celery-beat: one row, visible and editable in the admin."""

from django.db import migrations

TASK_NAME = "Reminders: scan for due reminders"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "notifications.reminders_tick",
            "interval": every_five_minutes,
            "enabled": True,
            # A tick that waited longer than its interval is stale: the next one does its work.
            "expire_seconds": 240,
            "description": "Finds every due reminder (set-based) and queues batches for the workers. "
            "Safe to run twice: the reminders ledger sends each reminder once.",
        },
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    # Leave the interval if another task uses it.
    IntervalSchedule.objects.filter(every=5, period="minutes", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
