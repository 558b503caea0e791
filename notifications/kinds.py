"""The registry of reminder kinds: what is due when (a set-based source), who gets it, and how
it reads. `sources.py` registers the concrete kinds; the tick and the workers only read this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accounts.roles import user_has_role

ALL = "all"  # a preference row for this kind switches every reminder (not transactional mail) off


@dataclass(frozen=True)
class Due:
    """A row a source yields: `recipient` should hear about `subject` on local day `due`. The
    recipient is a user id, or (`recipient_id` None) an e-mail address without an account."""

    recipient_id: int | None
    subject_id: int
    due: dt.date
    deadline: dt.datetime | None = None
    recipient_email: str = ""

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.recipient_email, self.subject_id, self.due)


@dataclass(frozen=True)
class InApp:
    title: str
    url: str
    body: str = ""


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    subject_type: str
    # One query (or a fixed few) for every due row at `now`: never one per recipient.
    find_due: Callable[[dt.datetime], Iterable[Due]]
    # Loads a batch's subjects, keyed by reminder id, in a fixed number of queries. A reminder
    # missing from the answer is no longer due (listing unsaved, document replaced): skipped.
    load_subjects: Callable[[Sequence[Any], dt.datetime], Mapping[int, Any]]
    # The sender function (emails.py): send(reminder=..., subject=...).
    send: Callable[..., None]
    # None: no in-app message (the recipient has no account to see it in).
    in_app: Callable[[Any, Any], InApp] | None
    # Transactional messages (an offer's deadline) cannot be switched off.
    transactional: bool = False
    # Sent to e-mail addresses without an account (letter writers): no in-app message, no
    # preferences page; the one-click unsubscribe link is their only switch.
    to_address: bool = False
    # The role whose members get it (accounts.roles.Role); empty: anyone. Others are not offered its switch.
    for_role: str = ""


KINDS: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    KINDS[kind.code] = kind
    return kind


def get(code: str) -> ReminderKind | None:
    return KINDS.get(code)


def switchable(user: Any = None) -> list[ReminderKind]:
    """The kinds an account holder may switch off on their preferences page (`user`'s, when given:
    only those their roles receive)."""
    return [
        kind
        for kind in KINDS.values()
        if not kind.transactional
        and not kind.to_address
        and (user is None or not kind.for_role or user_has_role(user, kind.for_role))
    ]


def latest_threshold(*, deadline: dt.date, today: dt.date, days_before: Sequence[int]) -> dt.date | None:
    """The most recent 'N days before the deadline' day reached by `today`, while the deadline is
    still ahead (today included). One reminder per threshold; a late start (saved a listing three
    days before it closes) gets the nearest threshold only, not every earlier one at once."""
    if today > deadline:
        return None
    reached = [deadline - dt.timedelta(days=n) for n in days_before if deadline - dt.timedelta(days=n) <= today]
    return max(reached) if reached else None
