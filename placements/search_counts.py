"""The search's counts (total, flag counts, facet values), cached per normalised search.

Counting facets is most of a search's cost at national scale: every facet is a pass over the whole
matching catalogue (100,000 listings), while the page itself reads twenty rows. Counts change only
when the catalogue changes, or as time moves a session's application window open or shut, so:

* a *catalogue version* (one integer in the cache) is bumped whenever a listing, a session, an
  institution, a specialty or a listing's accepted visas change (signals below, and
  `catalogue_changed()` for the few queryset updates that bypass signals). A new version makes
  every cached count unreachable at once; the old entries simply expire.
* the key also holds the *minute*: counts that depend on the time ("open for applications now")
  are computed for the start of the minute, so they are never more than a minute old.
* the key is a digest of the counting queries' own SQL and parameters, built for that minute.
  Whatever a filter depends on (its value, the applicant's profile for "only where I am
  eligible", today's date) is in that SQL, so two searches share counts exactly when their counts
  are the same by construction; nothing has to list what a filter reads.

The result page (the twenty listings and their order) is not cached here: anonymous visitors' rendered
output is, whole, in `search_render_cache`; everyone else's page is read fresh each time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "placements:catalogue-version"
TTL_SECONDS = 120  # past the minute in the key, an entry is never read again


def catalogue_version() -> int:
    # Read in cached_counts' try block: an unreachable cache falls back to counting.
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # evicted or never set
            cache.add(VERSION_KEY, 1, timeout=None)
    except Exception:  # the cache server is unreachable: saving a listing must not fail for it
        logger.warning("Could not bump the catalogue version; cached search counts may be stale", exc_info=True)


def catalogue_changed() -> None:
    """Make every cached count stale: now (this transaction's own reads), and again at commit, so a
    search that ran between the two and cached the uncommitted state cannot serve it afterwards."""
    _bump()
    transaction.on_commit(_bump)


def cached_counts(queries: list[Any], compute: Callable[[], Any], *, minute: dt.datetime) -> Any:
    """`compute()`'s result, cached under the SQL of `queries` (querysets), the minute the counts are
    for, the language of their labels and the catalogue version."""
    digest = hashlib.sha256()
    for qs in queries:
        try:
            sql, params = qs.query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing, e.g. "eligible" for an anonymous visitor
            sql, params = "EMPTY", ()
        digest.update(sql.encode())
        digest.update(repr(params).encode())
    try:
        key = (f"placements:search-counts:{catalogue_version()}:{minute:%Y%m%d%H%M}:{get_language()}:"
               f"{digest.hexdigest()}")
        found = cache.get(key)
    except Exception:  # the cache server is unreachable: count without it
        logger.warning("Search counts computed without the cache", exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, TTL_SECONDS)
    except Exception:
        logger.warning("Search counts not cached", exc_info=True)
    return value


def _on_change(sender, **kwargs) -> None:
    catalogue_changed()


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Institution, Listing, Session, Specialty

    for model in (Listing, Session, Institution, Specialty):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"search-counts-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"search-counts-{model.__name__}-delete")
    m2m_changed.connect(_on_change, sender=Listing.accepted_visas.through, dispatch_uid="search-counts-visas")
