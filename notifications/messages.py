"""The account e-mails (allauth's), a kind of message caused by a change rather than found by the
tick: recorded in the outbox by the change itself (outbox.message_enqueue), rendered when recorded.
Transactional, like every kind caused by a change (each app registers its own in <app>/reminders.py):
part of what the recipient asked for, so no preference switches them off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import kinds
from .kinds import ReminderKind, Rendered

ACCOUNT_KIND = "account_email"


def rendered_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    """A message rendered when it was recorded carries itself: its payload."""
    return {r.pk: r.payload for r in reminders if r.payload.get("subject")}


def render_recorded(*, reminder: Any, subject: Mapping[str, Any]) -> Rendered:
    return Rendered(
        subject=subject["subject"],
        text=subject.get("text", ""),
        html=subject.get("html", ""),
        to=reminder.recipient_email,
        headers=dict(subject.get("headers") or {}),
    )


kinds.register(
    ReminderKind(
        code=ACCOUNT_KIND,
        label="Account e-mails (address confirmation, password reset, security notices)",
        subject_type="account.email",
        find_due=None,
        load_subjects=rendered_load,
        render=render_recorded,
        in_app=None,
        transactional=True,
    )
)
