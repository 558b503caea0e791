"""The schedule lives in django-celery-beat: created by a migration, shown and editable in the admin."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from portal.celery import app

pytestmark = pytest.mark.django_db


def test_the_migration_schedules_the_reminder_tick_every_five_minutes():
    tick = PeriodicTask.objects.get(task="notifications.reminders_tick")

    assert tick.enabled and (tick.interval.every, tick.interval.period) == (5, "minutes")
    # Beat can only send what a worker knows.
    app.loader.import_default_modules()
    assert {"notifications.reminders_tick", "notifications.reminders_send_batch"} <= set(app.tasks)


def test_an_admin_sees_and_can_edit_the_schedule(client, admin_user):
    tick = PeriodicTask.objects.get(task="notifications.reminders_tick")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    edit = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[tick.pk]))

    assert "Reminders: scan for due reminders" in listing
    assert edit.status_code == 200


def test_an_applicant_cannot_open_the_schedule(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
