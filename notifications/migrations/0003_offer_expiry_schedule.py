"""Offers past their deadline expire (freeing the seat, promoting the waitlist) every five minutes.

The service and task belong to applications; the schedule lives with the other periodic work."""
from django.db import migrations

TASK_NAME = "Offers: expire offers past their deadline"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "applications.tasks.offers_expire_task", "interval": every_five_minutes, "enabled": True,
                  "expire_seconds": 240,
                  "description": "Moves offers past offer_expires_at to 'offer expired' and offers the seat to the waitlist."},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_beat_schedule")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
