"""The round-publication tick in django-celery-beat: one row, visible and editable in the admin."""

from django.db import migrations

TASK_NAME = "Match rounds: publish rounds whose time has come"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "rounds.publish_due",
            "interval": every_minute,
            "enabled": True,
            "expire_seconds": 55,
            "description": "Runs the match of every open round past its publication time and offers the "
            "matched places; publishing a round twice changes nothing.",
        },
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    IntervalSchedule.objects.filter(every=1, period="minutes", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
