"""E-mailed links lead to the server that sent them: PORTAL_SITE_URL follows PORTAL_ADDR."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.settings.base import site_url_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("8765", "http://127.0.0.1:8765"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("portal.test:8080", "http://portal.test:8080"),
    ],
)
def test_the_site_url_is_where_the_server_listens(addr, url):
    assert site_url_of(addr) == url


def _emailed_link(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DJANGO_"))}
    code = (
        "import django; django.setup(); from notifications.emails import absolute; "
        "print(absolute('/letters/write/abc/'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "portal.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_a_server_run_on_another_port_emails_links_to_that_port():
    assert _emailed_link(PORTAL_ADDR="127.0.0.1:8765") == "http://127.0.0.1:8765/letters/write/abc/"


def test_an_explicit_site_url_wins_over_the_address():
    link = _emailed_link(PORTAL_ADDR="127.0.0.1:8765", PORTAL_SITE_URL="https://usce.example.org")
    assert link == "https://usce.example.org/letters/write/abc/"
