"""`make run`'s pieces: demo data that can be loaded twice, and a runner that Ctrl-C stops whole."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from placements.models import Institution, InstitutionMembership

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_twice(capsys):
    call_command("seed_demo")
    counts = (get_user_model().objects.count(), Institution.objects.count(), InstitutionMembership.objects.count())
    call_command("seed_demo")

    assert (
        get_user_model().objects.count(),
        Institution.objects.count(),
        InstitutionMembership.objects.count(),
    ) == counts
    out = capsys.readouterr().out
    assert "applicant@demo.usce-portal.org" in out and "coordinator@demo.usce-portal.org" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_the_dev_runner_serves_with_worker_and_beat_and_ctrl_c_stops_all(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))}
    env.update(
        PORTAL_VAR_DIR=str(tmp_path), PORTAL_ADDR=f"127.0.0.1:{port}", DJANGO_SETTINGS_MODULE="portal.settings.local"
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=180)
    runner = subprocess.Popen(
        [sys.executable, "bin/run_dev.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        body = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    body = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.5)
        assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
        children = _children_of(runner.pid)
        assert len(children) == 4  # web, worker, mailer, beat

        os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        runner.wait(timeout=30)

        time.sleep(0.5)
        alive = [
            pid
            for pid in children
            if Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
        ]
        assert alive == []
    finally:
        if runner.poll() is None:
            runner.kill()
