"""A listing's stored next deadline, next start and opening (`Listing.stored_next_*`,
`stored_opens_at`), which order the search and answer its "open now" filter. This module's rule is
their only writer: the next start, deadline and opening of the listing's live sessions, the deadline
and the opening from the same sessions (closing after the time of computing).

It runs when:

* a session is created, changed, archived or deleted: on PostgreSQL in the session trigger (function
  `placements_listing_recompute_dates`; raw and bulk writes included), which locks the listing row
  before it reads the sessions, so that two writers of one listing's sessions count each other's
  (migration 0020); on SQLite through the signals below and `session_changed()`.
* time passes: `refresh_due()` (every minute) recomputes the published listings whose stored deadline
  or start has passed, locking them first (as the trigger does) so that it counts the sessions of a
  writer it waited for. The opening needs no refresh: it is read only while its deadline is ahead.
* a draft is published (its values may have aged meanwhile).
* a loader writes listings with their sessions in bulk: `of_sessions`, with the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Listing, Session


def recompute(listings: QuerySet, at: dt.datetime | None = None) -> int:
    """Set the stored dates of `listings` from their sessions, as of `at`, in one UPDATE.

    The same rule as the PostgreSQL function the sessions' trigger calls: the next deadline and the
    opening are read from the same sessions (live, closing after `at`)."""

    at = at or timezone.now()
    sessions = Session.objects.filter(listing=OuterRef("pk"), is_archived=False).order_by()
    ahead = sessions.filter(applications_close_at__gt=at)
    return listings.order_by().update(
        stored_next_start=Subquery(
            sessions.filter(start_date__gte=at.date()).order_by("start_date").values("start_date")[:1]
        ),
        stored_next_deadline=Subquery(ahead.order_by("applications_close_at").values("applications_close_at")[:1]),
        stored_opens_at=Subquery(ahead.order_by("applications_open_at").values("applications_open_at")[:1]),
    )


def of_sessions(sessions: Iterable[Mapping[str, Any]], at: dt.datetime) -> dict[str, Any]:
    """The same values as `recompute`, from sessions in memory (each with `start_date`,
    `applications_open_at`, `applications_close_at`, `is_archived`): for a loader that writes a new
    listing and its sessions together, so that the row is written once, with them."""
    live = [s for s in sessions if not s["is_archived"]]
    ahead = [s for s in live if s["applications_close_at"] > at]
    return {
        "stored_next_start": min((s["start_date"] for s in live if s["start_date"] >= at.date()), default=None),
        "stored_next_deadline": min((s["applications_close_at"] for s in ahead), default=None),
        "stored_opens_at": min((s["applications_open_at"] for s in ahead), default=None),
    }


REFRESH_SLICE = 5000


def refresh_due(at: dt.datetime | None = None) -> int:
    """Recompute the published listings whose stored deadline or start has passed. Returns how many."""

    at = at or timezone.now()
    due = Listing.objects.published().filter(Q(stored_next_deadline__lte=at) | Q(stored_next_start__lt=at.date()))
    with transaction.atomic():
        # Lock first, compute in the next statement: one UPDATE that waited for a session writer's
        # lock on a row would re-check only that row and read the sessions as of before the wait,
        # without the writer's session. In pk order, so that two runs lock in the same order.
        ids = list(due.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))
        # In slices: after a long stop of the clock the due ids can outnumber the parameters one
        # statement may carry (65,535 on PostgreSQL); every minute they fit in one.
        return sum(
            recompute(Listing.objects.filter(pk__in=ids[i : i + REFRESH_SLICE]), at)
            for i in range(0, len(ids), REFRESH_SLICE)
        )


def session_changed(listing_id: int) -> None:
    """After a write to a listing's sessions that the trigger does not see (SQLite only)."""
    if connection.vendor != "postgresql":
        recompute(Listing.objects.filter(pk=listing_id))


def _on_session_change(sender, instance, **kwargs) -> None:
    session_changed(instance.listing_id)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_session_change, sender=Session, dispatch_uid="listing-dates-session-save")
    post_delete.connect(_on_session_change, sender=Session, dispatch_uid="listing-dates-session-delete")
