#!/usr/bin/env python
"""Benchmark: N messages (default 100,000) through the outbox to a local SMTP server (aiosmtpd on
127.0.0.1, in this process) by a real Celery worker (prefork, 4 processes by default) on Redis.

Records N account e-mails in the outbox (one insert per 2,000), queues them in batches as a
change's commit would, and waits until the SMTP server has received every one; each batch reuses
one SMTP connection. Reports messages per second and the peak memory (VmHWM) of the worker's
processes, then deletes its rows. Needs DATABASE_URL on PostgreSQL and REDIS_URL.

    make bench-outbox                            # 100,000 messages
    .venv/bin/python bench/outbox.py --messages 10000
"""

import argparse
import email
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
# Not DEBUG: Django would keep every query of the worker in memory.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)


class Counting:
    def __init__(self) -> None:
        self.received = 0
        self.ids: set[int] = set()

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        self.ids.add(int(email.message_from_bytes(envelope.content)["X-USCE-Message"]))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_kib(pid: int) -> int:
    """VmHWM (peak resident set) of a process and its children, in KiB."""
    pids = [pid] + [
        int(p)
        for p in subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    ]
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=1200)
    # Delivery mostly waits (on PostgreSQL, on the SMTP server): more processes than cores pay.
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        print("bench/outbox.py needs DATABASE_URL=postgres://... and REDIS_URL=redis://...", file=sys.stderr)
        return 2

    import django

    django.setup()
    import logging

    from aiosmtpd.controller import Controller
    from django.db import transaction
    from django.utils import timezone

    from notifications import conf
    from notifications.models import Reminder
    from notifications.outbox import queue_batches
    from portal.celery import app

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    run = uuid.uuid4().hex[:8]
    queue = f"bench-outbox-{run}"
    port = free_port()
    handler = Counting()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    env = {
        **os.environ,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(port),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
         f"--concurrency={args.concurrency}", "--loglevel=WARNING", "--without-heartbeat", "--without-mingle",
         "--without-gossip", "-Q", queue],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    app.conf.task_routes = {"notifications.reminders_send_batch": {"queue": queue}}
    # An interrupted run still stops its worker and removes its rows (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        now = timezone.now()
        started = time.monotonic()
        with transaction.atomic():
            rows = Reminder.objects.bulk_create(
                [
                    Reminder(
                        kind="account_email",
                        key=f"bench:{run}:{i}",
                        subject_type="account.email",
                        subject_id=0,
                        recipient_email=f"applicant{i}@example.org",
                        payload={
                            "subject": "Confirm your e-mail address",
                            "text": f"Hello,\n\nconfirm your address: https://portal.example.org/confirm/{run}{i}/\n",
                        },
                        next_attempt_at=now,
                        queued_at=now,
                        created_at=now,
                    )
                    for i in range(args.messages)
                ],
                batch_size=2000,
            )
            ids = [row.pk for row in rows]
            size = conf.batch_size()
            transaction.on_commit(lambda: queue_batches(ids[i : i + size] for i in range(0, len(ids), size)))
        recorded = time.monotonic() - started
        peak = 0
        deadline = time.monotonic() + args.timeout
        while handler.received < args.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
            peak = max(peak, peak_kib(worker.pid))
        elapsed = time.monotonic() - started
        sent = Reminder.objects.filter(key__startswith=f"bench:{run}:", status="sent").count()
        print(f"messages: {args.messages}; recorded in {recorded:.1f} s; received: {handler.received} "
              f"({len(handler.ids)} distinct); marked sent: {sent}")  # fmt: skip
        print(f"wall time: {elapsed:.1f} s; {handler.received / elapsed:.0f} messages/s")
        print(f"worker peak memory (VmHWM, main + {args.concurrency} pool processes): {peak / 1024:.0f} MiB")
        ok = handler.received == len(handler.ids) == args.messages == sent
        return 0 if ok else 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        server.stop()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
        Reminder.objects.filter(key__startswith=f"bench:{run}:").delete()


if __name__ == "__main__":
    sys.exit(main())
