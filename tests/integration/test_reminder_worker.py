"""A real Celery worker on the real Redis, killed in the middle of a batch and restarted: every
due reminder is still sent exactly once.

Needs REDIS_URL and PostgreSQL (the worker is another process: it must see the test database,
so the test is transactional and hands the worker the test database's name)."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from letters.models import LetterAssignment, LetterLink
from letters.services import letter_requests_refresh_due
from notifications.models import Notification, Reminder
from tests.applications.factories import DraftFactory
from tests.letters.factories import LetterRequestFactory
from tests.notifications.factories import applicant_in, save_listing, session_closing_at

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")]
ROOT = Path(__file__).resolve().parents[2]
APPLICANTS = 40
HEADER = re.compile(r"^X-USCE-Message: (\d+)$", re.MULTILINE)


def database_url_for_the_test_database() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_url() -> str:
    """REDIS_URL as given, with its own db number: the helper's or CI's dedicated database."""
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=parts.path or "/0"))


def sent_reminder_ids(mail_dir: Path) -> Counter:
    return Counter(int(m) for path in mail_dir.glob("*.log") for m in HEADER.findall(path.read_text()))


def awaited_letter(applicant, session):
    """A letter the applicant's draft for `session` waits for: its writer, who has no account, is due
    a reminder in the same tick (rows made directly: the service would queue the invitation)."""
    letter_request = LetterRequestFactory(applicant=applicant, writer_email="writer@lakeshore-health.example.org")
    LetterLink.objects.create(request=letter_request)
    LetterAssignment.objects.create(
        letter_request=letter_request, application=DraftFactory(applicant=applicant, session=session)
    )
    letter_requests_refresh_due(letter_request_ids=[letter_request.pk])
    return letter_request


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            ",".join(env["PORTAL_IT_QUEUE"] + suffix for suffix in ("", "-scan", "-mail")),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Timed out waiting for {what}")


@pytest.fixture
def celery_on_redis():
    """This process sends tasks to Redis (the unit-test settings run them in-process)."""
    from portal.celery import app

    queue = f"reminders-it-{uuid.uuid4().hex[:8]}"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(redis_url()) as conn:
            yield conn, queue
            for suffix in ("", "-scan", "-mail"):
                conn.default_channel.queue_purge(queue + suffix)
    finally:
        app.conf.task_always_eager = eager


def test_a_worker_killed_mid_batch_and_restarted_sends_every_reminder_exactly_once(
    reference_data, celery_on_redis, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database it can open: run with DATABASE_URL=postgres://...")
    broker, queue = celery_on_redis
    from notifications.tasks import reminders_tick_task

    session = session_closing_at(timezone.now() + dt.timedelta(days=2, hours=12))
    applicants = [
        applicant_in(["America/New_York", "Africa/Lagos", "Asia/Karachi", "America/Denver"][i % 4])
        for i in range(APPLICANTS)
    ]
    for applicant in applicants:
        save_listing(applicant, session.listing)
    awaited_letter(applicants[-1], session)  # saved and drafted: still one window_closing reminder
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "DATABASE_URL": database_url_for_the_test_database(),
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "PORTAL_IT_QUEUE": queue,
        "PORTAL_IT_MAIL_DIR": str(mail_dir),
    }
    log = tmp_path / "worker.log"

    # Beat's tick, sent to the worker through Redis as beat would send it.
    reminders_tick_task.apply_async(queue=queue, connection=broker)
    first = start_worker(env, log)
    try:
        wait_for(lambda: sum(sent_reminder_ids(mail_dir).values()) >= 6, 60, "the first worker to send some mail")
        time.sleep(0.1)  # into the next reminder's send: claimed, not yet sent
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    sent_before_restart = sum(sent_reminder_ids(mail_dir).values())
    assert Reminder.objects.count() == APPLICANTS + 1  # and the writer's
    assert sent_before_restart < APPLICANTS, "the kill must land before the work is done"
    assert Reminder.objects.filter(status="sending").count() == 1, "killed while one reminder was claimed"

    second = start_worker(env, log)
    try:
        # Beat keeps ticking: each tick re-queues what the dead worker held once its lease expired.
        def all_sent():
            if Reminder.objects.exclude(status="sent").exists():
                reminders_tick_task.apply_async(queue=queue, connection=broker)
                time.sleep(1)
                return False
            return True

        wait_for(all_sent, 90, "every reminder to be sent after the restart")
        time.sleep(1)  # let a redelivered batch (visibility timeout) run: it must send nothing
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(10)

    sent = sent_reminder_ids(mail_dir)
    ledger_ids = set(Reminder.objects.values_list("pk", flat=True))
    assert set(sent) == ledger_ids
    assert max(sent.values()) == 1, f"sent twice: {[pk for pk, n in sent.items() if n > 1]}\n{log.read_text()}"
    assert Notification.objects.count() == APPLICANTS  # the writer has no account: mail only
    writer = Reminder.objects.get(kind="letter_writer")
    # The file backend writes each message followed by a line of 79 dashes.
    messages = [m for path in mail_dir.glob("*.log") for m in path.read_text().split("-" * 79)]
    [writer_mail] = [m for m in messages if HEADER.findall(m) == [str(writer.pk)]]
    assert "To: writer@lakeshore-health.example.org" in writer_mail and "/letters/write/" in writer_mail
    assert settings.DATABASES["default"]["NAME"].startswith("test_")
