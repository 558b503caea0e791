"""Settings for the real Celery worker the integration test starts (a subprocess).

The test's environment names the test database (DATABASE_URL), the Redis broker (REDIS_URL), a
queue of its own and a mail folder; short leases let a crash recover within the test."""

import os

from portal.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["PORTAL_IT_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
EMAIL_BACKEND = "tests.integration.slow_mail.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["PORTAL_IT_MAIL_DIR"]
NOTIFICATIONS_CLAIM_LEASE_SECONDS = 3
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = 3
NOTIFICATIONS_BATCH_SIZE = 10
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
