"""Settings shared by every environment, each read from an environment variable.

Production differs from development only through the environment (see README,
"Configuration"). Defaults are the embedded ones that `make run` needs: SQLite,
a filesystem Celery broker and a private media folder under ./var.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# Local state (SQLite database, filesystem broker, private uploads) lives here by default.
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off the portal refuses to start "
            "without a secret key: set DJANGO_SECRET_KEY to 50 or more random characters, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-only-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])


def site_url_of(addr: str) -> str:
    """The address e-mailed links use when PORTAL_SITE_URL is unset: where `make run` serves
    (PORTAL_ADDR, runserver's "[host:]port"), so a letter writer's link reaches this server.
    A wildcard bind is reached through 127.0.0.1."""
    host, _, port = addr.rpartition(":")
    if host in ("", "0.0.0.0", "0", "[::]"):  # nosec B104: a bind address read, not one bound here
        host = "127.0.0.1"
    return f"http://{host}:{port}"


SITE_URL = env.str("PORTAL_SITE_URL", default=site_url_of(env.str("PORTAL_ADDR", default="127.0.0.1:8000")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    # Our apps
    "accounts",
    "placements",
    "applicants",
    "letters",
    "audit",
    "notifications",
    "applications",
    "rounds",
    "trust",
    "alerts",
    "api",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the login redirect: a NUL is a bad request whoever sends it (docs/security.md).
    "portal.middleware.RefuseNulMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PrivacyHeadersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "audit.context.AuditContextMiddleware",
    # After authentication: coordinators and admins without an authenticator may only set one up.
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.navigation",
            ],
            # The portal package is not an app: its template tags are named here.
            "libraries": {"portal_chrome": "portal.templatetags.portal_chrome"},
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
# Planner settings for every PostgreSQL connection (below), and how they reach it: "" for a direct
# connection or a session pooler (startup options), "transaction" behind a transaction pooler.
PORTAL_PG_SETTINGS: dict[str, str] = {}
PORTAL_PG_POOLER = env.str("PORTAL_PG_POOLER", default="")
if PORTAL_PG_POOLER not in ("", "transaction"):
    raise ImproperlyConfigured(f"PORTAL_PG_POOLER must be empty or 'transaction', not {PORTAL_PG_POOLER!r}.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Covering indexes (INCLUDE) serve PostgreSQL only; SQLite builds them without the extra
    # columns, which is all the embedded database needs. Not a warning a newcomer can act on.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # The dev server, the worker and beat share one file: wait for a lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # PostgreSQL's JIT spends more time compiling the catalogue's short, many-join queries than
    # it saves (measured: the eligible filter at 100,000 listings, 1.0 s with JIT, 0.38 s without).
    if not env.bool("PORTAL_PG_JIT", default=False):
        PORTAL_PG_SETTINGS["jit"] = "off"
    # The planner's default (4) prices a random read as for spinning disks, so a broad text search
    # scans the whole listings table instead of reading the full-text index's matches: on SSD
    # storage, with the catalogue in memory, 1.1 is the usual setting (bench/RESULTS.md, item 15,
    # has the figures). Empty: the server's.
    random_page_cost = env.str("PORTAL_PG_RANDOM_PAGE_COST", default="1.1")
    if random_page_cost:
        PORTAL_PG_SETTINGS["random_page_cost"] = str(float(random_page_cost))
    if PORTAL_PG_POOLER == "transaction":
        # Behind PgBouncer in transaction mode (docs/deployment.md) a server connection serves a
        # different client at each transaction. Startup options would be refused by the pooler, and a
        # session-level SET would leak to whoever runs next: `manage.py pg_database_settings` stores
        # PORTAL_PG_SETTINGS on the database instead, where every new server connection starts from.
        # QuerySet.iterator() would declare a server-side cursor WITH HOLD and fetch from it in later
        # statements, which the pooler may send to another server connection: plain fetches instead.
        # (Django already turns psycopg's prepared statements off: prepare_threshold None.)
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif PORTAL_PG_SETTINGS:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
            f"-c {name}={value}" for name, value in PORTAL_PG_SETTINGS.items()
        )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits and sessions share it across processes when Redis is set) ----------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("PORTAL_CACHE_PREFIX", default="usce"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[USCE Portal] "
# accounts' rules (one password prompt for staff setting up MFA), with the account e-mails sent
# through the outbox like every other e-mail (notifications.outbox).
ACCOUNT_ADAPTER = "notifications.account_adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("PORTAL_HTTP_PROTOCOL", default="http" if DEBUG else "https")
# Same answer whether or not an address is registered (no account enumeration).
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "USCE Portal"
# Roles that cannot use the portal until they have an authenticator (accounts.middleware).
PORTAL_MFA_REQUIRED_ROLES = ["coordinator", "admin"]
# Rate limits live in the cache (Redis when REDIS_URL is set, so every process shares them).
# Failed logins lock an address for 15 minutes after 5 misses: the lockout ends by itself, so an
# attacker can delay a user but never lock them out for good.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/m/ip,5/15m/key",
    "reset_password": "20/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "signup": "20/m/ip",
}
# How many reverse proxies sit in front of the app: their X-Forwarded-For entries are trusted for
# the client IP that rate limits, user sessions and the audit log record.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
# allauth.usersessions records each session at login (every way in goes through allauth's login).
# Activity tracking would add a write to every request just to show "last seen": left off.
USERSESSIONS_TRACK_ACTIVITY = False

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploads are private: there is deliberately no MEDIA_URL route. Files are only ever served
# through views that check who asks.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "private-media")))
STORAGE_BACKEND = env.str("PORTAL_STORAGE", default="local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
else:
    raise ImproperlyConfigured(f"PORTAL_STORAGE must be 'local' or 's3', not {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "portal.storage.StaticFilesStorage",  # whitenoise's compressed manifest storage
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# First: a file past PORTAL_MAX_UPLOAD_BYTES stops being stored as it arrives (portal.upload_handlers).
FILE_UPLOAD_HANDLERS = [
    "portal.upload_handlers.SizeCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
PORTAL_MAX_UPLOAD_BYTES = env.int("PORTAL_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Images whose header declares more pixels are refused before anything decodes them (docs/uploads.md):
# a 600 dpi A4 scan is 35 megapixels, a phone's largest photo mode about 50.
PORTAL_MAX_IMAGE_PIXELS = env.int("PORTAL_MAX_IMAGE_PIXELS", default=100_000_000)
# How long a letter writer's link works; a resend gives a fresh one.
LETTERS_LINK_DAYS = env.int("PORTAL_LETTERS_LINK_DAYS", default=30)
# Applicants' documents are purged after this many days without activity (applicants.retention).
DOCUMENT_RETENTION_DAYS = env.int("PORTAL_DOCUMENT_RETENTION_DAYS", default=730)
# How long applying waits for a session's seat lock before answering "try again" (applications.seats).
APPLICATIONS_LOCK_TIMEOUT_MS = 3000

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="USCE Portal <no-reply@usce-portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds one SMTP operation may wait: a server that accepts and never answers fails the send
# (recorded, retried later) instead of blocking a worker for good.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)

# --- The outbox (notifications.outbox; docs/outbox.md). They nest: a batch stops claiming after
# BATCH_SECONDS, Celery stops it at the soft then hard limit, and only after the lease may another
# worker take a claim over; the start-up check refuses any other order.
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env.int("PORTAL_OUTBOX_CLAIM_LEASE_SECONDS", default=600)
NOTIFICATIONS_BATCH_SECONDS = env.int("PORTAL_OUTBOX_BATCH_SECONDS", default=120)
NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT = env.int("PORTAL_OUTBOX_SOFT_TIME_LIMIT", default=240)
NOTIFICATIONS_DELIVER_TIME_LIMIT = env.int("PORTAL_OUTBOX_TIME_LIMIT", default=300)
NOTIFICATIONS_EXPIRE_AFTER_SECONDS = env.int("PORTAL_OUTBOX_EXPIRE_AFTER_SECONDS", default=3 * 24 * 3600)
# A queued batch not done within this delay is queued again (a lost broker message).
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = 900
NOTIFICATIONS_BATCH_SIZE = env.int("PORTAL_OUTBOX_BATCH_SIZE", default=200)
# None: a message is retried while it is useful (its deadline or the expiry bounds it).
NOTIFICATIONS_MAX_ATTEMPTS: int | None = None
# Retries back off from the base, doubling, up to the maximum.
NOTIFICATIONS_RETRY_BASE_SECONDS = 300
NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
NOTIFICATIONS_TICK_SOFT_TIME_LIMIT = 240
NOTIFICATIONS_TICK_TIME_LIMIT = 270
# /metrics: a bearer token (Authorization: Bearer <token>), or a client address in the allow-list.
# Neither set: /metrics answers 404.
PORTAL_METRICS_TOKEN = env.str("PORTAL_METRICS_TOKEN", default="")
PORTAL_METRICS_ALLOW = env.list("PORTAL_METRICS_ALLOW", default=[])

# --- Celery -------------------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport: no server to run.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
_broker_folder = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder),
        "data_folder_out": str(_broker_folder),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        # kombu's default is ./control, which would put broker state in the source tree.
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    # A message not acknowledged within this time is redelivered (see README, reminders).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# After each catalogue change the worker counts the unfiltered catalogue again, so that its first
# visitor does not (placements.search.count_cache.warm_after_change).
PORTAL_SEARCH_WARM_COUNTS = env.bool("PORTAL_SEARCH_WARM_COUNTS", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Scanning and delivery in queues of their own, so a tick never waits behind delivery batches
# (and in-app work behind neither); each worker names the queues it consumes (docs/outbox.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.reminders_tick": {"queue": "scan"},
    "notifications.reminders_send_batch": {"queue": "mail"},
}
# No task runs for ever: the outbox's tasks set tighter limits of their own (below the claim lease).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1500)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first: its WWW-Authenticate header makes a request without credentials a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    # Counted in the default cache (Redis when REDIS_URL is set, so all workers share the counts).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonThrottle", "api.throttling.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("PORTAL_API_ANON_RATE", default="60/min"),
        "user": env.str("PORTAL_API_USER_RATE", default="240/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "USCE Portal API",
    "DESCRIPTION": (
        "Placements, applicants, applications and letters for US clinical experience. "
        "Authenticate with a session (browser) or `Authorization: Token <token>` (create tokens under "
        "Account › API tokens). Every error is RFC 9457 problem details (`application/problem+json`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.states.Status",
        "ListingStatusEnum": "placements.models.Listing.Status",
        "ListingKindEnum": "placements.models.Listing.Kind",
        "VisaStatusEnum": "placements.choices.VisaStatus",
        "ExamResultEnum": "applicants.choices.ExamResult",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# --- Security -----------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# ASVS 3.3.2 (level 2): sign in again at least every 12 hours.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=12 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
# Sent by portal.middleware.PrivacyHeadersMiddleware on every response.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # NONCE is django-csp's sentinel: the string "'nonce'" would be sent literally and match nothing.
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Logging: one JSON object a line on stdout --------------------------------------------
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # qpdf's bridge announces itself at INFO when first imported; its warnings still come through.
        "pikepdf": {"level": "WARNING"},
    },
}

PORTAL_NAME = _("USCE Portal")
