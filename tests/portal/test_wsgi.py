"""The WSGI application (what gunicorn serves) keeps its start-up objects out of the collector's full
passes (portal.gc_tuning): without it, a request that meets a full collection waits 50 ms or more."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc
from portal.wsgi import application
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_served_application_is_frozen_out_of_full_collections():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {
        **clean,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    frozen, still_tracked = map(int, result.stdout.split())
    assert frozen > 10_000  # Django and the portal, loaded
    assert still_tracked < frozen / 10  # what a full collection still walks
