"""The outbox against a real SMTP server (aiosmtpd, started here on 127.0.0.1) with a real Celery
worker (prefork, two processes) on the real Redis: a slow server, a server that accepts and never
answers, a long outage, and two beats. Each ends with every expected message received exactly once,
counted at the SMTP server by the outbox's message header, and the expired ones recorded.

Needs REDIS_URL and PostgreSQL, like test_reminder_worker.py (whose helpers it shares)."""

import asyncio
import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Reminder
from notifications.outbox import MESSAGE_HEADER, message_enqueue
from tests.integration.test_reminder_worker import ROOT, database_url_for_the_test_database, redis_url, wait_for
from tests.notifications.factories import applicant_in, save_listing, session_closing_at

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")]


class Counting:
    """aiosmtpd handler: counts every message received by its outbox id. `delay` slows each one at
    RCPT, before the message is handed over, as a throttling server does; `waiting` is set while a
    delayed RCPT waits (a kill then lands before the message is sent)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: Counter = Counter()
        self.delay = delay
        self.waiting = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            self.waiting.set()
            await asyncio.sleep(self.delay)
            self.waiting.clear()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        self.received[int(message[MESSAGE_HEADER])] += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Silent:
    """A server that accepts connections and never says a word (no greeting, no answer)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self.accepted = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def stop(self) -> None:
        # shutdown first: close() alone leaves the port bound while accept() blocks in the thread.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
        for conn in self.held:
            conn.close()


def smtp_server(port: int, handler: Counting) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def harness(reference_data, tmp_path):
    """A worker (prefork, -c 2) for the test's three queues, mail to PORTAL_IT_SMTP_PORT, and ticks
    sent through Redis as beat sends them. Stops whatever it started."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database it can open: run with DATABASE_URL=postgres://...")
    from portal.celery import app

    queue = f"outbox-it-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "DATABASE_URL": database_url_for_the_test_database(),
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "PORTAL_IT_QUEUE": queue,
        "PORTAL_IT_SMTP_PORT": str(port),
    }
    workers: list[subprocess.Popen] = []
    log = tmp_path / "worker.log"
    eager, routes = app.conf.task_always_eager, app.conf.task_routes
    app.conf.task_always_eager = False
    # What this process queues (a message recorded here) goes to the test's queues too.
    app.conf.task_routes = {
        "notifications.reminders_tick": {"queue": f"{queue}-scan"},
        "notifications.reminders_send_batch": {"queue": f"{queue}-mail"},
    }
    from notifications.tasks import reminders_tick_task

    class Harness:
        def __init__(self, broker) -> None:
            self.port = port
            self.broker = broker
            self.log = log

        def start_worker(self) -> subprocess.Popen:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=2",
                    "--loglevel=WARNING",
                    "--without-heartbeat",
                    "--without-mingle",
                    "--without-gossip",
                    "-Q",
                    ",".join(queue + suffix for suffix in ("", "-scan", "-mail")),
                ],
                cwd=ROOT,
                env=env,
                stdout=log.open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            workers.append(worker)
            return worker

        def tick(self, beats: int = 1) -> None:
            for _ in range(beats):
                reminders_tick_task.apply_async(queue=f"{queue}-scan", connection=self.broker)

        def run_until(self, condition, timeout: float, what: str, beats: int = 1) -> None:
            """Beat keeps ticking (every 0.5 s) until `condition()`."""

            def done() -> bool:
                if condition():
                    return True
                self.tick(beats)
                time.sleep(0.5)
                return False

            wait_for(done, timeout, f"{what}\n{log.read_text()}")

        def run_until_closed(self, expected: int, timeout: float, beats: int = 1) -> None:
            """Until the `expected` messages are recorded and none is waiting."""
            self.run_until(
                lambda: (
                    Reminder.objects.count() >= expected
                    and not Reminder.objects.filter(status__in=["pending", "sending"]).exists()
                ),
                timeout,
                "every message to be closed",
                beats,
            )

    try:
        with app.connection_for_write(redis_url()) as conn:
            yield Harness(conn)
            for suffix in ("", "-scan", "-mail"):
                conn.default_channel.queue_purge(queue + suffix)
    finally:
        app.conf.task_always_eager, app.conf.task_routes = eager, routes
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)


def due_reminders(count: int, closes_in: dt.timedelta) -> list:
    session = session_closing_at(timezone.now() + closes_in)
    applicants = [applicant_in("America/New_York") for _ in range(count)]
    for applicant in applicants:
        save_listing(applicant, session.listing)
    return applicants


def account_emails(count: int) -> list[int]:
    with transaction.atomic():
        rows = [
            message_enqueue(
                kind="account_email",
                key=f"account:it-{i}",
                subject_type="account.email",
                subject_id=0,
                recipient_email=f"new{i}@example.org",
                payload={"subject": "Confirm your address", "text": f"https://example.org/confirm/{i}"},
            )
            for i in range(count)
        ]
    return [row.pk for row in rows]


def assert_each_sent_once(received: Counter) -> None:
    sent = set(Reminder.objects.filter(status="sent").values_list("pk", flat=True))
    assert set(received) == sent
    assert max(received.values(), default=1) == 1, f"sent twice: {[pk for pk, n in received.items() if n > 1]}"


def test_a_slow_server_and_a_free_worker_process_send_each_message_once(harness):
    """0.3 s a message, ten to a batch: uninterrupted, a batch would outlast the 3 s lease while
    the second worker process is free to take its claims over. Two beats tick throughout."""
    handler = Counting(delay=0.3)
    server = smtp_server(harness.port, handler)
    try:
        due_reminders(30, dt.timedelta(days=2, hours=12))
        harness.start_worker()
        harness.tick(beats=2)
        harness.run_until_closed(30, timeout=150, beats=2)
        time.sleep(2)  # a redelivered or requeued batch, had there been one, would send now
    finally:
        server.stop()

    assert Reminder.objects.filter(status="sent").count() == 30
    assert_each_sent_once(handler.received)
    assert Reminder.objects.filter(attempts__gt=1).count() == 0, "no claim was ever taken over"


def test_a_server_that_never_answers_fails_sends_in_time_and_then_everything_goes_out(harness):
    silent = Silent(harness.port)
    due_reminders(10, dt.timedelta(days=2, hours=12))
    account_emails(5)
    worker = harness.start_worker()
    try:
        harness.run_until(
            lambda: (
                Reminder.objects.filter(last_error_class__in=["TimeoutError", "SMTPServerDisconnected"]).count() >= 5
            ),
            60,
            "sends to time out",
        )
        assert worker.poll() is None, "the worker is not stuck or dead: it recorded the failures"
    finally:
        silent.stop()
    handler = Counting()
    server = smtp_server(harness.port, handler)
    try:
        harness.run_until_closed(15, timeout=120)
        time.sleep(2)
    finally:
        server.stop()

    assert Reminder.objects.filter(status="sent").count() == 15
    assert_each_sent_once(handler.received)
    assert Reminder.objects.exclude(last_error="").exists(), "the errors of the outage are kept"


def test_a_closed_port_past_a_deadline_expires_that_reminder_and_sends_the_rest_once_reopened(harness):
    closing_soon = due_reminders(4, dt.timedelta(seconds=8))
    due_reminders(6, dt.timedelta(days=2, hours=12))
    account_emails(5)
    harness.start_worker()
    harness.tick()
    # Nothing listens: every attempt is refused, retried with backoff, until the near deadline passes.
    harness.run_until(
        lambda: Reminder.objects.filter(status="expired").count() == 4,
        # A bound, not a speed: the worker's start and the backoff between refusals stretch on a
        # loaded machine (one run timed out at 60 s beside the whole suite running twice).
        150,
        "the reminders of the window that closed to expire",
    )
    assert Reminder.objects.filter(last_error_class="ConnectionRefusedError").count() >= 10
    handler = Counting()
    server = smtp_server(harness.port, handler)
    try:
        harness.run_until_closed(15, timeout=120)
        time.sleep(2)
    finally:
        server.stop()

    assert Reminder.objects.filter(status="sent").count() == 11
    assert_each_sent_once(handler.received)
    expired = Reminder.objects.filter(status="expired")
    assert set(expired.values_list("recipient__email", flat=True)) == {a.email for a in closing_soon}
    assert set(expired.values_list("closed_reason", flat=True)) == {"Its deadline passed before it could be sent."}


def test_a_worker_killed_mid_batch_leaves_nothing_sent_twice_or_lost(harness):
    handler = Counting(delay=0.2)
    server = smtp_server(harness.port, handler)
    try:
        due_reminders(30, dt.timedelta(days=2, hours=12))
        first = harness.start_worker()
        harness.tick()
        wait_for(lambda: sum(handler.received.values()) >= 5, 60, "the first worker to send some mail")
        handler.waiting.clear()
        wait_for(handler.waiting.is_set, 10, "a send in progress")  # claimed, not yet handed over
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        harness.start_worker()
        harness.run_until_closed(30, timeout=150, beats=2)
        time.sleep(2)
    finally:
        server.stop()

    assert Reminder.objects.filter(status="sent").count() == 30
    assert_each_sent_once(handler.received)
