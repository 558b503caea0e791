"""Gunicorn as in production, on 127.0.0.1, for the HTTP benchmarks (throughput.py, load_test.py).

Production-like: DEBUG off, a freshly generated secret key, allowed host 127.0.0.1, manifest static
files (collected once into var/bench-static), the PostgreSQL database of DATABASE_URL and the Redis of
REDIS_URL, sync workers as in the Dockerfile. The only addition is bench.settings' URLconf, which adds
/bench/trivial/. Callers pass any further environment variable they change, and say why.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC_ROOT = ROOT / "var" / "bench-static"
# What a TLS-terminating proxy adds in production; without it every request would be a redirect to https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def require_services() -> tuple[str, str]:
    """The benchmarks measure the production stack: PostgreSQL and Redis, never SQLite and locmem."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url.startswith("redis://"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database and REDIS_URL to a Redis database, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/usce_bench REDIS_URL=redis://127.0.0.1:6379/5"
        )
    return database_url, redis_url


def server_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(STATIC_ROOT),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str]) -> None:
    """Migrations applied and static files collected (the manifest storage refuses to render without them)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")


def default_workers() -> int:
    # Gunicorn's own advice for sync workers: 2 x cores + 1 (the Dockerfile's 3 is for a 1-core container).
    return 2 * (os.cpu_count() or 1) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def logged_errors(log_path: Path) -> int:
    """Lines the server logged at ERROR or worse (Django's JSON log, gunicorn's own)."""
    if not log_path.exists():
        return 0
    text = log_path.read_text(errors="replace")
    return sum(
        1
        for line in text.splitlines()
        if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line or "[ERROR]" in line or "[CRITICAL]" in line
    )


def _wait_ready(base_url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(base_url + "/healthz", headers=PROXY_HEADERS)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # nosec B310 (our own 127.0.0.1 server)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def gunicorn_command(*, port: int, workers: int) -> list[str]:
    """Gunicorn serving the portal on 127.0.0.1:`port` with `workers` sync workers, as in the Dockerfile."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log_path: Path):
    """Serve bench.settings with gunicorn on a free 127.0.0.1 port; yield its base URL; stop it after."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(
        gunicorn_command(port=port, workers=workers), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(base_url, process)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
