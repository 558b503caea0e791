"""Development: `make run` and `manage.py` default to this. Debug is on unless DJANGO_DEBUG says otherwise."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from .base import *  # noqa: E402,F403
