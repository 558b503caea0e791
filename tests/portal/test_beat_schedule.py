"""Every periodic task the migrations schedule names a task a worker really has."""

import pytest
from django_celery_beat.models import PeriodicTask

from portal.celery import app

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_known_to_the_worker():
    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))

    assert scheduled, "the migrations schedule the periodic work"
    assert scheduled <= set(app.tasks), f"unknown to the worker: {scheduled - set(app.tasks)}"


def test_the_letters_sweep_runs_every_hour():
    sweep = PeriodicTask.objects.get(task="letters.tasks.letter_requests_expire_task")

    assert sweep.enabled and (sweep.interval.every, sweep.interval.period) == (1, "hours")
