"""The registry of message kinds: for a reminder, what is due when (a set-based source); for every
kind, who gets it and how it reads. `sources*.py` register the reminders and `messages.py` the
messages caused by a change; the tick and the outbox's workers only read this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

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
class Rendered:
    """One e-mail, rendered: what the outbox hands to the mail server (it adds the message id)."""

    subject: str
    text: str
    to: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    reply_to: str = ""


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    subject_type: str
    # One query (or a fixed few) for every due row at `now`: never one per recipient. None for a
    # message caused by a change (recorded by the change itself, never scanned for).
    find_due: Callable[[dt.datetime], Iterable[Due]] | None
    # Loads a batch's subjects, keyed by reminder id, in a fixed number of queries. A reminder
    # missing from the answer is no longer due (listing unsaved, document replaced): skipped.
    load_subjects: Callable[[Sequence[Any], dt.datetime], Mapping[int, Any]]
    # The renderer (emails.py): render(reminder=..., subject=...) -> Rendered. It never sends.
    render: Callable[..., Rendered]
    # None: no in-app message (the recipient has no account to see it in).
    in_app: Callable[[Any, Any], InApp] | None
    # Transactional messages (an offer's deadline) cannot be switched off.
    transactional: bool = False
    # Sent to e-mail addresses without an account (letter writers): no in-app message, no
    # preferences page; the one-click unsubscribe link is their only switch.
    to_address: bool = False
    # A reminder about a deadline already passed (a late letter): its deadline does not expire it,
    # only its age does (outbox.outbox_expire).
    after_deadline: bool = False
    # The role whose members get it (accounts.roles.Role); empty: anyone. Others are not offered its switch.
    for_role: str = ""


KINDS: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    KINDS[kind.code] = kind
    return kind


def get(code: str) -> ReminderKind | None:
    return KINDS.get(code)


def after_deadline() -> list[str]:
    return [kind.code for kind in KINDS.values() if kind.after_deadline]


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


# Zones run from UTC-12 to UTC+14: a day of slack each side lets SQL narrow the rows and Python
# decide per recipient.
SLACK = dt.timedelta(days=1)


def first_url(*candidates: tuple[str, Sequence[Any]], fallback: str = "notifications:list") -> str:
    """The first of the named pages that exists: other apps add detail pages in parallel."""
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return reverse(fallback)
