"""The every-minute refresh of listings' stored next deadline and start, in django-celery-beat."""

from django.db import migrations

TASK_NAME = "Placements: refresh listings' passed deadlines and start dates"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "placements.refresh_listing_dates",
            "interval": every_minute,
            "enabled": True,
            # A refresh that waited past the next one has nothing left to do.
            "expire_seconds": 50,
            "description": "Recomputes the stored next deadline and next start of published listings "
            "whose stored value has passed, so the search's date sorts stay in order. Idempotent.",
        },
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    IntervalSchedule.objects.filter(every=1, period="minutes", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0010_listing_stored_next_dates"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
