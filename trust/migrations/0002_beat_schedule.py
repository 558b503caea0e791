"""Trust's periodic work in django-celery-beat: responsiveness hourly, freshness reminders daily."""

from django.db import migrations

SCHEDULES = [
    (
        "Trust: recompute responsiveness",
        "trust.tasks.responsiveness_refresh_task",
        (1, "hours"),
        "Recomputes each listing's and institution's response figures from the last 12 months of applications.",
    ),
    (
        "Trust: ask coordinators to confirm listings",
        "trust.tasks.freshness_reminders_task",
        (1, "days"),
        "E-mails the coordinators of listings not confirmed for 90 days (once per 90 days each).",
    ),
]


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (every, period), description in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "enabled": True,
                "expire_seconds": 3000,
                "description": description,
            },
        )


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trust", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
