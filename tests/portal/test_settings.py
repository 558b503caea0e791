"""Settings come from the environment; production refuses to start without a secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_secret_with_debug_off_fails_at_start_with_a_clear_message():
    result = manage("check", DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_the_deployment_check_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="portal.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_reads_each_template_from_disk_once():
    # template_partials wraps the loaders in its own around Django's cached loader; a `loaders` list
    # added later without the cached one would parse every template on every request.
    code = (
        "from django.template import engines; loader = engines['django'].engine.template_loaders[0]; "
        "print(type(loader).__module__, [type(inner).__module__ for inner in loader.loaders])"
    )
    result = manage(
        "shell",
        "-c",
        code,
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="portal.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "template_partials.loader ['django.template.loaders.cached']"


def test_postgresql_connections_are_planned_for_ssd_storage_unless_told_otherwise():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"
    url = "postgres://postgres@127.0.0.1:5432/nowhere"

    default = manage("shell", "-c", code, DATABASE_URL=url)
    server_own = manage("shell", "-c", code, DATABASE_URL=url, PORTAL_PG_RANDOM_PAGE_COST="")

    assert default.stdout.splitlines()[-1].split() == ["-c", "jit=off", "-c", "random_page_cost=1.1"], default.stderr
    assert server_own.stdout.splitlines()[-1].split() == ["-c", "jit=off"], server_own.stderr


def test_behind_a_transaction_pooler_connections_carry_no_startup_options_and_no_server_side_cursors():
    code = (
        "from django.conf import settings; db = settings.DATABASES['default']; "
        "print(db.get('OPTIONS', {}).get('options'), db.get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "sorted(settings.PORTAL_PG_SETTINGS.items()))"
    )
    url = "postgres://postgres@127.0.0.1:6432/nowhere"

    pooled = manage("shell", "-c", code, DATABASE_URL=url, PORTAL_PG_POOLER="transaction")
    direct = manage("shell", "-c", code, DATABASE_URL=url)

    # PgBouncer refuses a startup parameter it does not know ("unsupported startup parameter: options").
    assert pooled.stdout.splitlines()[-1] == "None True [('jit', 'off'), ('random_page_cost', '1.1')]", pooled.stderr
    assert direct.stdout.splitlines()[-1].startswith("-c jit=off -c random_page_cost=1.1 False"), direct.stderr


def test_an_unknown_pooler_mode_fails_at_start_with_a_clear_message():
    result = manage("check", DJANGO_DEBUG="1", PORTAL_PG_POOLER="session")

    assert result.returncode != 0
    assert "PORTAL_PG_POOLER must be empty or 'transaction'" in result.stderr
