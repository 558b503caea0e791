"""The rows placements' data migration seeds (specialties, visas), put back after a flush.

Transactional tests (live_server, threads, a real worker) end with a database flush that takes
the migration-seeded rows too. The autouse fixture in tests/conftest.py calls `reseed()` before
each such test; this is the one place that knows how.
"""

import importlib

from django.apps import apps


def reseed() -> None:
    """Idempotent: the migration's own seeding function, run on the current models."""
    importlib.import_module("placements.migrations.0002_seed_specialties_and_visas").seed(apps, None)
