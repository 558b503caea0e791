"""Places held in a session, as far as this app needs to know them: to refuse lowering its seats
below them, or archiving it while offers are out.

Who holds a place is the applications app's business, and placements must not import it: the
applications app registers its counter here (in its AppConfig.ready). On PostgreSQL a deferred
constraint trigger (applications' migrations) holds the same two rules for every writer, and
`refusal_from_database` turns its error into the words a coordinator reads here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The names the trigger gives its refusals (applications' migration "seat_invariants").
PLACES_WITHIN_SEATS = "session_places_within_seats"
ARCHIVED_WITHOUT_OFFERS = "session_archived_no_open_offers"


class PlacesHeld(NamedTuple):
    accepted: int  # accepted, enrolled or completed
    offered: int  # offers not yet answered

    @property
    def total(self) -> int:
        return self.accepted + self.offered


NONE_HELD = PlacesHeld(0, 0)

# counter(session ids) -> {session id: places held}; sessions holding none may be left out.
Counter = Callable[[Iterable[int]], dict[int, PlacesHeld]]
COUNTERS: list[Counter] = []


def register(counter: Counter) -> None:
    if counter not in COUNTERS:
        COUNTERS.append(counter)


def held(session_id: int) -> PlacesHeld:
    """Places held in the session. Call it holding the session's row lock, or the count is stale."""
    accepted = offered = 0
    for counter in COUNTERS:
        found = counter([session_id]).get(session_id, NONE_HELD)
        accepted, offered = accepted + found.accepted, offered + found.offered
    return PlacesHeld(accepted, offered)


def seats_refusal(places: PlacesHeld, *, seats: int) -> str | None:
    """Why `seats` is too few for the places held, and what the coordinator can do; None if enough."""
    if places.total <= seats:
        return None
    held_words = ngettext("%(n)s place is held", "%(n)s places are held", places.total) % {"n": places.total}
    if places.offered:
        detail = _("%(accepted)s accepted, %(offers)s") % {
            "accepted": places.accepted,
            "offers": ngettext("%(n)s offer out", "%(n)s offers out", places.offered) % {"n": places.offered},
        }
        advice = ngettext(
            "take back offers or keep at least %(n)s seat.",
            "take back offers or keep at least %(n)s seats.",
            places.total,
        ) % {"n": places.total}
        return _("%(held)s (%(detail)s); %(advice)s") % {"held": held_words, "detail": detail, "advice": advice}
    advice = ngettext("keep at least %(n)s seat.", "keep at least %(n)s seats.", places.total) % {"n": places.total}
    return _("%(held)s by accepted applicants; %(advice)s") % {"held": held_words, "advice": advice}


def archive_refusal(places: PlacesHeld) -> str | None:
    """Why the session cannot be archived now (offers wait for an answer); None if it can."""
    if not places.offered:
        return None
    return ngettext(
        "%(n)s offer is still out in this session. Take it back or wait for the answer before archiving the session.",
        "%(n)s offers are still out in this session. Take them back or wait for the answers before archiving "
        "the session.",
        places.offered,
    ) % {"n": places.offered}


class DatabaseRefusal(NamedTuple):
    rule: str  # PLACES_WITHIN_SEATS or ARCHIVED_WITHOUT_OFFERS
    seats: int
    places: PlacesHeld

    @property
    def words(self) -> str:
        """What a coordinator changing the session reads (a move says it in its own words)."""
        if self.rule == ARCHIVED_WITHOUT_OFFERS:
            return archive_refusal(self.places) or ""
        return seats_refusal(self.places, seats=self.seats) or ""


def refusal_from_database(exc: IntegrityError) -> DatabaseRefusal | None:
    """The trigger's refusal carried by `exc`; None if `exc` is another error.

    The trigger puts its counts in DETAIL as ``session=… seats=… accepted=… offered=…``.
    """
    diag = getattr(exc.__cause__, "diag", None)
    rule = getattr(diag, "constraint_name", None)
    if rule not in (PLACES_WITHIN_SEATS, ARCHIVED_WITHOUT_OFFERS):
        return None
    detail: str = getattr(diag, "message_detail", None) or ""
    counts: dict[str, str] = dict(part.split("=", 1) for part in detail.split() if "=" in part)
    places = PlacesHeld(int(counts.get("accepted", 0)), int(counts.get("offered", 0)))
    return DatabaseRefusal(rule, int(counts.get("seats", 0)), places)
