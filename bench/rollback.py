"""Benchmarks seed and measure inside one transaction that is rolled back: the database is left as found."""

from collections.abc import Iterator
from contextlib import contextmanager


class Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        print("  rolled back: the database is as it was", flush=True)
