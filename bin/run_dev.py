#!/usr/bin/env python
"""Serve the portal with its Celery workers and beat, for `make run`. Ctrl-C stops them all.

Uses the embedded defaults unless the environment says otherwise: SQLite, and kombu's
filesystem broker under ./var, so nothing but Python has to be installed.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADDR = os.environ.get("PORTAL_ADDR", "127.0.0.1:8000")

COMMANDS = {
    "web": [PY, "manage.py", "runserver", ADDR, "--noreload"],
    # --pool=solo: one process, no fork; enough for development and gentle on a laptop. Two workers,
    # as in production: the outbox's deliveries (queue `mail`) never hold up the tick (`scan`) or
    # the rest (`celery`). -n: distinct names, so they do not take each other for a duplicate.
    "worker": [PY, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", "celery,scan", "-n", "work@%h"],
    "mailer": [PY, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", "mail", "-n", "mail@%h"],
    "beat": [PY, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"],
}


def banner() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD

    lines = [f"  {login.role:<12} {login.email}\n  {'':<12} look at {login.look_at}" for login in DEMO_LOGINS]
    return "\n".join(
        [
            "",
            f"USCE Portal: http://{ADDR}/  (Ctrl-C stops the web server, workers and beat)",
            f"Demo logins, password {DEMO_PASSWORD} (what the demo holds: docs/demo.md):",
            *lines,
            "",
        ]
    )


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings.local")}
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in COMMANDS.items()}

    def stop(*_):
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        time.sleep(4)  # let them print their start-up lines first, so the banner stays visible
        print(banner(), flush=True)
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with status {proc.returncode}; stopping the others.", flush=True)
                    stop()
                    return proc.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
