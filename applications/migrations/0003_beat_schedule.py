"""The offer-expiry tick in django-celery-beat: one row, visible and editable in the admin."""

from django.db import migrations

TASK_NAME = "Applications: expire unanswered offers"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "applications.offers_expire",
            "interval": every_ten_minutes,
            "enabled": True,
            "expire_seconds": 540,
            "description": "Moves offers past their response deadline to 'offer expired' and offers the "
            "freed places to the waitlist in the coordinator's order.",
        },
    )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    IntervalSchedule.objects.filter(every=10, period="minutes", periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_application_documents"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
