"""Saving, changing and deleting an applicant's saved searches.

A saved search is parsed by the search's own parser (`placements.search.parse_params`, with the
filters the results page offers its owner), so what it matches is what the results page showed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.search import ELIGIBLE_PARAM, applicant_profile_of
from placements import search as catalogue
from placements.search.values import DURATIONS

from .models import Frequency, SavedSearch

MAX_SAVED_SEARCHES = 20
NAME_MAX_LENGTH = 100

# Each filter the matcher can answer as a column of the saved search (alerts.matching), and how.
_TO_COLUMNS: dict[str, Any] = {
    "q": lambda v: {"text": v, **text_columns(v)},
    "kind": lambda v: {"kind": v},
    "specialty": lambda v: {"specialty": v},
    "state": lambda v: {"state": v},
    "hands_on": lambda v: {"hands_on": v},
    "visa": lambda v: {"visa": v},
    "duration": lambda v: {"min_weeks": DURATIONS[v][1], "max_weeks": DURATIONS[v][2]},
    "fee_max": lambda v: {"fee_max": Decimal(v)},
    "start_month": lambda v: {"start_month": v},
    "open_now": lambda v: {"open_now": bool(v)},
    "no_ecfmg": lambda v: {"no_ecfmg": bool(v)},
    "lor": lambda v: {"lor": bool(v)},
    ELIGIBLE_PARAM: lambda v: {"eligible_only": bool(v)},
}
MATCHABLE = frozenset(_TO_COLUMNS)
_FILTER_COLUMNS = (
    "text",
    "text_key",
    "text_query",
    "kind",
    "specialty",
    "state",
    "hands_on",
    "visa",
    "min_weeks",
    "max_weeks",
    "fee_max",
    "start_month",
    "open_now",
    "no_ecfmg",
    "lor",
    "eligible_only",
)


def text_columns(text: str) -> dict[str, Any]:
    """The matcher's columns for a text: `text_query`, PostgreSQL's parse of it (the results page's
    websearch_to_tsquery), and `text_key`, a lexeme that every listing the text matches must contain,
    or "" if there is none to be sure of (an "or", only negated words, SQLite). Both read from the
    same parse, so stemming and stop words are the search's."""
    if not text or connection.vendor != "postgresql":
        return {"text_key": "", "text_query": None}
    with connection.cursor() as cursor:
        cursor.execute("SELECT querytree(q)::text, q::text FROM websearch_to_tsquery('english', %s) q", [text])
        tree, query = cursor.fetchone()
    return {"text_key": _required_lexeme(tree or ""), "text_query": query}


def _required_lexeme(tree: str) -> str:
    if "|" in tree:
        return ""
    required = tree.split("!", 1)[0]  # lexemes after a negation may be absent from a match
    match = re.search(r"'((?:[^']|'')+)'", required)
    return match[1].replace("''", "'")[:100] if match else ""


class SavedSearchError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SavedSearchError(_("Give the search a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise SavedSearchError(
            _("A name has at most %(max)d characters (this one has %(n)d).") % {"max": NAME_MAX_LENGTH, "n": len(name)}
        )
    return name


def _clean_frequency(frequency: str) -> str:
    if frequency not in Frequency.values:
        raise SavedSearchError(
            _("“%(value)s” is not a frequency: choose at once, daily or weekly.") % {"value": str(frequency)[:20]}
        )
    return frequency


def saved_search_parse(*, owner: Any, querystring: str) -> tuple[str, dict[str, Any]]:
    """The canonical query string (sort and page dropped, malformed parameters dropped as the
    results page ignores them) and the matcher's columns. Raises SavedSearchError for a filter the
    matcher cannot answer."""
    params = catalogue.parse_params(
        QueryDict(querystring.lstrip("?"), mutable=False), catalogue.extra_filters_for(owner)
    )
    unmatchable = [param for param in params.values if param not in MATCHABLE]
    if unmatchable:
        labels = {flt.param: str(flt.label) for flt in [*catalogue.FILTERS, *catalogue.EXTRA_FILTERS]}
        raise SavedSearchError(
            _(
                "A saved search cannot watch “%(filters)s”: it changes with time, not with new listings. "
                "Remove it and save again."
            )
            % {"filters": ", ".join(labels.get(p, p) for p in unmatchable)}
        )
    columns: dict[str, Any] = {
        "text": "",
        "text_key": "",
        "text_query": None,
        "kind": "",
        "specialty": None,
        "state": "",
        "hands_on": "",
        "visa": "",
        "min_weeks": None,
        "max_weeks": None,
        "fee_max": None,
        "start_month": None,
        "open_now": False,
        "no_ecfmg": False,
        "lor": False,
        "eligible_only": False,
    }
    for param, value in params.values.items():
        columns.update(_TO_COLUMNS[param](value))
    return params.querystring(sort=None), columns


def _owner_locked(owner: Any) -> None:
    # Serialises one owner's creations, so that two at once cannot pass the cap together.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()


def saved_search_create(*, owner: Any, name: str, querystring: str, frequency: str = Frequency.DAILY) -> SavedSearch:
    """Save the results page's search under `name` for the applicant `owner`."""
    if applicant_profile_of(owner) is None:
        raise SavedSearchError(_("Only applicants can save searches."))
    name = _clean_name(name)
    frequency = _clean_frequency(frequency)
    canonical, columns = saved_search_parse(owner=owner, querystring=querystring)
    with transaction.atomic():
        _owner_locked(owner)
        if SavedSearch.objects.filter(owner=owner).count() >= MAX_SAVED_SEARCHES:
            raise SavedSearchError(
                _("You can keep %(max)d saved searches: delete one to save another.") % {"max": MAX_SAVED_SEARCHES}
            )
        _check_name_free(owner=owner, name=name)
        try:
            with transaction.atomic():
                return SavedSearch.objects.create(
                    owner=owner, name=name, querystring=canonical, frequency=frequency, **columns
                )
        except IntegrityError:  # the same name saved a moment ago, in another request
            raise SavedSearchError(_duplicate_name(name)) from None


def _duplicate_name(name: str) -> str:
    return _("You already have a saved search called “%(name)s”: choose another name.") % {"name": name}


def _check_name_free(*, owner: Any, name: str, exclude_pk: int | None = None) -> None:
    taken = SavedSearch.objects.filter(owner=owner).annotate(lower=Lower("name")).filter(lower=name.lower())
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise SavedSearchError(_duplicate_name(name))


def saved_search_update(
    *,
    saved_search: SavedSearch,
    name: str | None = None,
    frequency: str | None = None,
    paused: bool | None = None,
    querystring: str | None = None,
) -> SavedSearch:
    """Rename, change the frequency of, pause/resume or re-filter a saved search (None: unchanged)."""
    fields: list[str] = []
    if name is not None:
        name = _clean_name(name)
        _check_name_free(owner=saved_search.owner, name=name, exclude_pk=saved_search.pk)
        saved_search.name = name
        fields.append("name")
    if frequency is not None:
        saved_search.frequency = _clean_frequency(frequency)
        fields.append("frequency")
    if paused is not None:
        if saved_search.paused and not paused:
            saved_search.watching_since = timezone.now()
            fields.append("watching_since")
        saved_search.paused = bool(paused)
        fields.append("paused")
    if querystring is not None:
        canonical, columns = saved_search_parse(owner=saved_search.owner, querystring=querystring)
        saved_search.querystring = canonical
        for column, value in columns.items():
            setattr(saved_search, column, value)
        fields += ["querystring", *_FILTER_COLUMNS]
    if fields:
        try:
            with transaction.atomic():
                saved_search.save(update_fields=[*fields, "updated_at"])
        except IntegrityError:
            raise SavedSearchError(_duplicate_name(saved_search.name)) from None
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    """Delete it; the alerts it caused stay in the ledger (so nothing is said twice) without it."""
    saved_search.delete()


def default_name(*, querystring: str, today: dt.date | None = None) -> str:
    """A name to offer in the save form: the search's text, else "Search of <date>"."""
    params = catalogue.parse_params(QueryDict(querystring.lstrip("?")))
    text = params.values.get("q")
    if text:
        return str(text)[:NAME_MAX_LENGTH]
    return _("Search of %(day)s") % {"day": f"{today or timezone.localdate():%d %b %Y}"}
