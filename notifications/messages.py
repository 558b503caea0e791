"""The kinds of message caused by a change rather than found by the tick: recorded in the outbox
by the change itself (outbox.message_enqueue), loaded and rendered here when a worker sends them.
All transactional: part of what the recipient asked for, so no preference switches them off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from applications import notifications as application_messages
from letters import emails as letter_messages

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

kinds.register(
    ReminderKind(
        code=application_messages.KIND,
        label="Changes to your applications",
        subject_type=application_messages.SUBJECT_TYPE,
        find_due=None,
        load_subjects=application_messages.events_load,
        render=application_messages.event_render,
        in_app=application_messages.event_in_app,
        transactional=True,
    )
)

kinds.register(
    ReminderKind(
        code="letter_request",
        label="Invitations to write a letter (to the writer)",
        subject_type="letters.letterlink",
        find_due=None,
        load_subjects=letter_messages.links_load,
        render=letter_messages.render_letter_request,
        in_app=None,
        transactional=True,
    )
)

kinds.register(
    ReminderKind(
        code="letter_uploaded",
        label="A letter of recommendation arrived",
        subject_type="letters.letter",
        find_due=None,
        load_subjects=letter_messages.uploads_load,
        render=letter_messages.render_letter_uploaded,
        in_app=letter_messages.uploaded_in_app,
        transactional=True,
    )
)

kinds.register(
    ReminderKind(
        code="letter_declined",
        label="A writer declined to write a letter",
        subject_type="letters.letterrequest",
        find_due=None,
        load_subjects=letter_messages.declines_load,
        render=letter_messages.render_letter_declined,
        in_app=letter_messages.declined_in_app,
        transactional=True,
    )
)
