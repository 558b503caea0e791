"""The rendered search results (the page's results region, the API's search body), cached for visitors
whose results do not depend on who they are.

A search's output is a function of its parameters, the catalogue, the time (open windows, deadlines,
the start-month choices), the language of its labels and the time zone its deadlines are shown in,
and, for a signed-in user, of that user (an applicant's eligibility badges and "only where I am
eligible" filter). So:

* only anonymous visitors are served from the cache; anyone signed in gets a fresh render;
* an entry holds the catalogue version of `search_counts` it was rendered under (bumped when any
  listing, session, institution, specialty or accepted visa changes, so a changed listing shows at
  once: an entry of an older version is never served); the key holds the language, the time
  zone, and a digest of the query string's values the output is computed from (`query_digest`:
  each filter's, the sort's and the page's, as sent). So a hit reads nothing but the query string:
  it does not even parse it (that looks a specialty's slug up in the database);
* the entry also holds the minute it was rendered in. In a later minute the first request to
  claim its lock (`search_counts.claim_recompute`, an atomic `add`) renders it again while the
  others serve the previous minute's output, so that the entries do not all expire together at the turn of a minute
  and every worker re-render the same searches at once. Output that moves with the clock (open
  windows, deadlines) so lags by a minute or two at most, never a catalogue change;
* what is cached is rendered without the request: no CSP nonce, CSRF token, session or user can be
  in it. The page around it (navigation, nonce, forms with tokens) is rendered fresh every time.

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

from . import search_counts
from .search import SearchFilter
from .search_counts import VERSION_KEY, catalogue_version

logger = logging.getLogger(__name__)

TTL_SECONDS = 300  # the longest an earlier minute's output is served while one request re-renders it


def serves_from_cache(user: Any) -> bool:
    """Whether this visitor's search output is the same as every other such visitor's."""
    return not getattr(user, "is_authenticated", False)


def query_digest(query: Mapping[str, str], filters: Iterable[SearchFilter]) -> str:
    """A digest of what `search.parse_params(query, ...)` reads from the query string: each filter's
    value, the sort and the page, as sent. The output is a function of these (and of the catalogue,
    the clock, the language and the time zone, which the entry and its key hold apart), so two
    requests with the same digest get the same output without either being parsed. Empty values
    count as absent, as for the parser; anything else the query holds (tracking parameters) is left
    out, as the parser leaves it."""
    names = sorted({*(flt.param for flt in filters), "sort", "page"})
    parts = [(name, value) for name in names if (value := query.get(name))]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_output(kind: str, digest: str, compute: Callable[[], Any], *, extra: str = "") -> Any:
    """`compute()`'s result, cached for this search's query (`query_digest`), the catalogue version,
    the language and the time zone, and re-rendered once a minute by one request (see the module
    docstring). `kind` names the output ("page", "api"); `extra` is anything else the output reads
    (the viewer's time zone, the API's absolute base URL for its page links).

    The version is stored beside the output rather than in its key, so that one round trip reads
    both: an entry made under an older version is a miss.

    Each entry has a tag (a random token, in a small key of its own). A process keeps the entries
    it read or wrote lately in memory (`_recent`) and, for those, reads only the version and the tag
    from the cache server instead of the whole output (some 30 kB): its copy is used only while the
    cache server still holds that very entry (same tag), so what is served does not change."""
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
        if rendered_in >= stamp or not search_counts.claim_recompute(key):
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
# dropped beyond RECENT_ENTRIES (a page's output is some 30 kB).
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
