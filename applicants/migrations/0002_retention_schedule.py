"""The weekly retention purge in django-celery-beat, created DISABLED.

Purging deletes applicants' files for good, so it starts only when an administrator enables the
row in the admin, after running `manage.py purge_inactive_documents --dry-run` and agreeing the
period (PORTAL_DOCUMENT_RETENTION_DAYS) with the institutions and the privacy notice.
"""

from django.db import migrations

TASK_NAME = "Retention: purge documents of inactive applicants"
WEEKLY = {"minute": "30", "hour": "3", "day_of_week": "0", "day_of_month": "*", "month_of_year": "*"}


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    sunday_night, _ = CrontabSchedule.objects.get_or_create(**WEEKLY, timezone="UTC")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "applicants.tasks.purge_inactive_documents_task",
            "crontab": sunday_night,
            "enabled": False,
            "expire_seconds": 6 * 3600,
            "description": "Deletes the documents and files of applicants inactive for longer than "
            "PORTAL_DOCUMENT_RETENTION_DAYS (see applicants/retention.py). Disabled until an administrator "
            "has checked `manage.py purge_inactive_documents --dry-run`. Safe to run twice.",
        },
    )


def delete_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    # Leave the crontab if another task uses it.
    CrontabSchedule.objects.filter(**WEEKLY, timezone="UTC", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
