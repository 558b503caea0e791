"""Tests: pytest uses this (pyproject.toml). PostgreSQL and Redis when DATABASE_URL and REDIS_URL
are set, else SQLite and in-process Celery."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR  # noqa: E402

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

# Unit tests run tasks in-process; the integration tests start a real worker on Redis themselves.
CELERY_TASK_ALWAYS_EAGER = True
# Eager, it would count the catalogue inside every test that saves a listing: on only where a test
# (or the benchmark, as in production) asks for it.
PORTAL_SEARCH_WARM_COUNTS = os.environ.get("PORTAL_SEARCH_WARM_COUNTS", "0") == "1"

_test_root = BASE_DIR / "var" / "test"
MEDIA_ROOT = _test_root / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# Serve static files straight from static/ (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
