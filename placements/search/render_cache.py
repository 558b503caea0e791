"""The rendered search results (the page's results region, the API's search body), cached for
anonymous visitors, whose output does not depend on who they are.

* Anyone signed in gets a fresh render (eligibility badges, their own filter).
* An entry holds the catalogue version it was rendered under (`count_cache`): an entry of an older
  version is never served, so a changed listing shows at once. Its key holds the language, the time
  zone and a digest of the query string's values (`query_digest`): a hit does not even parse them.
* An entry also holds the minute it was rendered in; in a later minute one request (the one that
  claims its lock) renders it again while the others serve the previous minute's output. Output that
  moves with the clock lags it by a minute or two at most, never a catalogue change.
* What is cached is rendered without the request: no CSP nonce, CSRF token, session or user in it.

An unreachable cache server never fails a search: the output is computed without it (logged).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from . import count_cache
from .count_cache import VERSION_KEY, catalogue_version
from .values import SearchFilter

logger = logging.getLogger(__name__)

TTL_SECONDS = 300  # the longest an earlier minute's output is served while one request re-renders it


def serves_from_cache(user: Any) -> bool:
    """Whether this visitor's search output is the same as every other such visitor's."""
    return not getattr(user, "is_authenticated", False)


def query_digest(query: Mapping[str, str], filters: Iterable[SearchFilter]) -> str:
    """A digest of what `parse_params(query, ...)` reads: each filter's value, the sort and the page,
    as sent (empty values count as absent; anything else, such as tracking parameters, is left out).
    Two requests with the same digest get the same output without either being parsed."""
    names = sorted({*(flt.param for flt in filters), "sort", "page"})
    parts = [(name, value) for name in names if (value := query.get(name))]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_output(kind: str, digest: str, compute: Callable[[], Any], *, extra: str = "") -> Any:
    """`compute()`'s result, cached for this search's query (`query_digest`), the catalogue version,
    the language and the time zone, and re-rendered once a minute by one request. `kind` names the
    output ("page", "api"); `extra` is anything else the output reads (the viewer's time zone, the
    API's base URL). The version is stored beside the output, not in its key: one round trip reads
    both. A process keeps the entries it saw lately (`_recent`) and then reads only their tag (a random
    token in a key of its own): its copy is served only while the server holds that very entry."""
    now = timezone.now()
    key = f"placements:search-output:{kind}:{get_language()}:{timezone.get_current_timezone_name()}:{extra}:{digest}"
    tag_key = f"{key}:tag"
    stamp = f"{now:%Y%m%d%H%M}"
    recent = _recent.get(key)
    try:
        if recent is not None:
            found = cache.get_many([VERSION_KEY, tag_key])
            entry = recent[1] if found.get(tag_key) == recent[0] else cache.get(key)
        else:
            found = cache.get_many([VERSION_KEY, key, tag_key])
            entry = found.get(key)
            if entry is not None and tag_key in found:
                _remember(key, found[tag_key], entry)
        version = found.get(VERSION_KEY) or catalogue_version()
    except Exception:  # the cache server is unreachable: render without it
        logger.warning("Search output computed without the cache", exc_info=True)
        return compute()
    if entry is not None and entry[0] == version:
        _version, rendered_in, value = entry
        if rendered_in >= stamp or not count_cache.claim_recompute(key):
            return value
    value = compute()
    entry, tag = (version, stamp, value), secrets.token_hex(8)
    try:
        cache.set_many({key: entry, tag_key: tag}, TTL_SECONDS)
        cache.delete(f"{key}:lock")
    except Exception:
        logger.warning("Search output not cached", exc_info=True)
    else:
        _remember(key, tag, entry)
    return value


# This process's copies of the entries it read or wrote lately: {key: (tag, entry)}, the oldest
# dropped beyond RECENT_ENTRIES (each holds a whole rendered page region).
RECENT_ENTRIES = 200
_recent: dict[str, tuple[str, tuple[Any, str, Any]]] = {}


def _remember(key: str, tag: str, entry: tuple[Any, str, Any]) -> None:
    _recent.pop(key, None)
    _recent[key] = (tag, entry)
    while len(_recent) > RECENT_ENTRIES:
        try:
            del _recent[next(iter(_recent))]
        except (KeyError, StopIteration, RuntimeError):  # another thread got there first
            break
