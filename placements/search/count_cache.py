"""The search's counts (total, flags, facet values), cached per search; they change only with the
catalogue or as time moves a session's application window. So:

* a *catalogue version* (one integer in the cache) is bumped whenever a listing, a session, an
  institution, a specialty or a listing's accepted visas change (signals below, `catalogue_changed()`
  for queryset updates): every cached count becomes unreachable at once.
* the key is a digest of the counting queries' own SQL and parameters: whatever a filter depends on
  (its value, the applicant's profile, today's date) is in that SQL.
* time-dependent counts (`minute=`: "open now") are stored with their minute; in a later minute one
  request (the one that claims the entry's lock) recomputes them while the others serve the previous
  minute's. They lag the clock by a minute or two at most, never a change to the catalogue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from ..models import Institution, Listing, Session, Specialty

logger = logging.getLogger(__name__)

VERSION_KEY = "placements:catalogue-version"
TTL_SECONDS = 3600  # time-free counts: a catalogue change retires them sooner (new version, new key)
TIMED_TTL_SECONDS = 300  # time-dependent counts: the longest a previous minute's counts are served
LOCK_SECONDS = 30  # one request recomputes an entry; a crashed one blocks it no longer than this


def _first_version() -> int:
    """A version no earlier run of the cache used: should the counter be lost (a flush, an eviction)
    while entries it stamped survive, they can never match again. Bumps add one; this grows by a
    thousand a second."""
    return int(time.time() * 1000)


def catalogue_version() -> int:
    # Read in cached_counts' try block: an unreachable cache falls back to counting.
    version = cache.get(VERSION_KEY)
    if version is None:
        first = _first_version()
        cache.add(VERSION_KEY, first, timeout=None)
        version = cache.get(VERSION_KEY, first)
    return version


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # evicted or never set
            cache.add(VERSION_KEY, _first_version(), timeout=None)
    except Exception:  # the cache server is unreachable: saving a listing must not fail for it
        logger.warning("Could not bump the catalogue version; cached search counts may be stale", exc_info=True)


def catalogue_changed() -> None:
    """Make every cached count stale: now (this transaction's own reads), and again at commit, so a
    search that ran between the two and cached the uncommitted state cannot serve it afterwards.
    After the commit the worker counts the whole catalogue again (`warm_after_change`)."""
    _bump()
    # One callback per transaction: a bump at commit retires whatever was cached from any of its
    # changes, and a bulk edit of many sessions would otherwise queue one recount each, all but one stale.
    pending = transaction.get_connection().run_on_commit
    if not any(func is _after_commit for _savepoints, func, _robust in pending):
        transaction.on_commit(_after_commit)


def _after_commit() -> None:
    _bump()
    warm_after_change()


WARM_DELAY_SECONDS = 1  # a burst of changes (a coordinator's bulk edit) is counted once, after it


def set_warm_task(task: Any) -> None:
    """The Celery task `warm_after_change` queues (placements.tasks registers it): called up through
    this, not imported, since the task itself calls the search."""
    _warm_task[:] = [task]


_warm_task: list[Any] = []


def warm_after_change() -> None:
    """Queue one recount of the unfiltered catalogue's counts for the catalogue version now current,
    so the first visitor after a change does not pay for them. One task per version (an atomic
    `add`); a task whose version is no longer current when it runs does nothing."""
    if not settings.PORTAL_SEARCH_WARM_COUNTS or not _warm_task:
        return
    try:
        version = catalogue_version()
        if not cache.add(f"placements:search-warm:{version}", 1, LOCK_SECONDS):
            return
    except Exception:  # the cache server is unreachable: nothing to warm
        return
    try:
        _warm_task[0].apply_async(args=[version], countdown=WARM_DELAY_SECONDS)
    except Exception:  # the broker is unreachable: the change is saved; its first visitor counts
        logger.warning("Could not queue the catalogue's recount", exc_info=True)


def claim_recompute(key: str) -> bool:
    """True if this request is the one to recompute `key` (or the cache cannot say: then recompute)."""
    try:
        return cache.add(f"{key}:lock", 1, LOCK_SECONDS)
    except Exception:
        return True


def compiled(qs: Any) -> tuple[str, tuple]:
    """A queryset's SQL and parameters, for `cached_counts`' key: a caller that keys several entries
    by the same queryset compiles it once (compiling is not free: every filter's SQL is built)."""
    try:
        return qs.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, e.g. "eligible" for an anonymous visitor
        return "EMPTY", ()


def cached_counts(
    queries: list[Any], compute: Callable[[], Any], *, minute: dt.datetime | None = None, part: str = "counts"
) -> Any:
    """`compute()`'s result, cached under the SQL of `queries` (querysets, or `compiled` ones), the language of their
    labels, the catalogue version and `part` (what is counted). With `minute` the result depends on
    the time: `queries` must then be built for a fixed time, and the result is recomputed once a
    minute by one request while the others serve the previous one (see the module docstring)."""
    digest = hashlib.sha256()
    for query in queries:
        sql, params = query if isinstance(query, tuple) else compiled(query)
        digest.update(sql.encode())
        digest.update(repr(params).encode())
    try:
        key = f"placements:search-{part}:{catalogue_version()}:{get_language()}:{digest.hexdigest()}"
        found = cache.get(key)
    except Exception:  # the cache server is unreachable: count without it
        logger.warning("Search counts computed without the cache", exc_info=True)
        return compute()
    if minute is None:
        if found is not None:
            return found
        value = compute()
        _store(key, value, TTL_SECONDS)
        return value
    stamp = f"{minute:%Y%m%d%H%M}"
    if found is not None:
        found_stamp, value = found
        if found_stamp >= stamp or not claim_recompute(key):
            return value
    value = compute()
    _store(key, (stamp, value), TIMED_TTL_SECONDS)
    try:
        cache.delete(f"{key}:lock")
    except Exception:
        pass  # it expires
    return value


def _store(key: str, value: Any, ttl: int) -> None:
    try:
        cache.set(key, value, ttl)
    except Exception:
        logger.warning("Search counts not cached", exc_info=True)


def _on_change(sender: Any, **kwargs: Any) -> None:
    catalogue_changed()


def connect_signals() -> None:
    for model in (Listing, Session, Institution, Specialty):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"search-counts-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"search-counts-{model.__name__}-delete")
    m2m_changed.connect(_on_change, sender=Listing.accepted_visas.through, dispatch_uid="search-counts-visas")
