"""Production: gunicorn, the worker and beat in docker compose. Identical to base on purpose:
everything that differs comes from environment variables (see README, "Configuration")."""

from .base import *  # noqa: F403
