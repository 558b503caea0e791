"""Settings for the real Celery worker the integration tests start (a subprocess).

The test's environment names the test database (DATABASE_URL), the Redis broker (REDIS_URL), a
queue prefix of its own, and where mail goes: a real SMTP server on 127.0.0.1 (PORTAL_IT_SMTP_PORT)
or a mail folder. Short bounds, nested as in production, let a crash or an outage recover within
the test: batch 0.5 s + EMAIL_TIMEOUT 1 s < soft limit 2 s < hard limit 2.5 s < lease 3 s."""

import os

from portal.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
_queue = os.environ["PORTAL_IT_QUEUE"]
CELERY_TASK_DEFAULT_QUEUE = _queue
CELERY_TASK_ROUTES = {
    "notifications.reminders_tick": {"queue": f"{_queue}-scan"},
    "notifications.reminders_send_batch": {"queue": f"{_queue}-mail"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
if os.environ.get("PORTAL_IT_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["PORTAL_IT_SMTP_PORT"])
else:
    EMAIL_BACKEND = "tests.integration.slow_mail.SlowFileBackend"
    EMAIL_FILE_PATH = os.environ["PORTAL_IT_MAIL_DIR"]
EMAIL_TIMEOUT = 1
NOTIFICATIONS_CLAIM_LEASE_SECONDS = 3
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = 3
NOTIFICATIONS_BATCH_SIZE = 10
NOTIFICATIONS_BATCH_SECONDS = 0.5
NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT = 2
NOTIFICATIONS_DELIVER_TIME_LIMIT = 2.5
NOTIFICATIONS_RETRY_BASE_SECONDS = 0.5
NOTIFICATIONS_RETRY_MAX_SECONDS = 1
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
