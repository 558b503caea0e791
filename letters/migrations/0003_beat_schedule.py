"""The letters sweep in django-celery-beat (marks lapsed requests expired, refreshes due dates)."""

from django.db import migrations

TASK_NAME = "Letters: expire lapsed requests and refresh due dates"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "letters.tasks.letter_requests_expire_task",
            "interval": every_hour,
            "enabled": True,
            "expire_seconds": 3000,
            "description": "Marks letter requests whose link lapsed as expired, so applicants see it and can "
            "send a new link.",
        },
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    IntervalSchedule.objects.filter(every=1, period="hours", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0002_rotation_assignment_access"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
