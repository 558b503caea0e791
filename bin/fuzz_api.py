"""Fuzz the live API with schemathesis as an anonymous user, an applicant and a coordinator.

Seeds the database (`seed_demo`), gives the demo applicant and coordinator API tokens (the
coordinator a TOTP authenticator first, as MFA requires), starts the dev server, and runs
schemathesis against /api/schema/ once per persona: no 5xx and every response conforming to the
schema (status code, content type, headers, body). Bounded by --max-examples per operation.

Usage: .venv/bin/python bin/fuzz_api.py [--max-examples 25]   (uses DATABASE_URL like the app)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare() -> dict[str, str]:
    """Seed and return {persona: Authorization header value or ""}."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.management import call_command

    from accounts import demo
    from accounts.models import User
    from api.services import api_token_create

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    applicant = User.objects.get(email=demo.APPLICANT.email)
    coordinator = User.objects.get(email=demo.COORDINATOR.email)
    if not Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(coordinator, generate_totp_secret())
    return {
        "anonymous": "",
        "applicant": "Token " + api_token_create(user=applicant, name="fuzzing")[1],
        "coordinator": "Token " + api_token_create(user=coordinator, name="fuzzing")[1],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=25)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DJANGO_DEBUG": "1",
        # The fuzzer is one client sending thousands of requests: lift the rate limits for it.
        "PORTAL_API_ANON_RATE": "100000/min",
        "PORTAL_API_USER_RATE": "100000/min",
    }
    os.environ.update(env)
    personas = _prepare()
    port = _free_port()
    # The server's request log goes to a file: an unread pipe fills up and stalls the server.
    (ROOT / "var").mkdir(exist_ok=True)
    server_log = open(ROOT / "var" / "fuzz-server.log", "w")  # noqa: SIM115 (closed in finally)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    failures = 0
    totals: dict[str, int] = {}
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # nosec B310: a fixed http://127.0.0.1 URL
                break
            except OSError:
                time.sleep(0.5)
        for persona, header in personas.items():
            report = ROOT / "var" / f"fuzz-{persona}.ndjson"
            report.parent.mkdir(exist_ok=True)
            command = [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                base + "/api/schema/",
                "--checks",
                CHECKS,
                "--max-examples",
                str(args.max_examples),
                "--seed",
                "8",
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(report),
                "--suppress-health-check",
                "all",
                "--phases",
                "examples,fuzzing",
            ]
            if header:
                command += ["--header", f"Authorization: {header}"]
            print(f"== schemathesis as {persona}", flush=True)
            result = subprocess.run(command, cwd=ROOT, env=env)
            failures += result.returncode != 0
            totals[persona] = _count_cases(report)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server_log.close()
    print("Generated test cases:", json.dumps(totals), "total", sum(totals.values()))
    return 1 if failures else 0


def _count_cases(report: Path) -> int:
    """Test cases schemathesis generated, read from its NDJSON event stream."""
    count = 0
    if not report.exists():
        return 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for name, payload in event.items():
            if name == "ScenarioFinished":
                count += len(payload.get("recorder", {}).get("cases", {}))
    return count


if __name__ == "__main__":
    sys.exit(main())
