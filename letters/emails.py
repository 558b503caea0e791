"""The letters' e-mails, one render function per message, each rendering
templates/emails/<name>-subject.txt, -body.txt and -body.html; and what records them in the outbox
(notifications.outbox), in the transaction of the change that causes them.

The writer has no account, so the invitation addresses a plain e-mail address rather than a user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.kinds import InApp, Rendered
from notifications.outbox import message_enqueue

from . import tokens
from .models import Letter, LetterLink, LetterRequest


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _subject(name: str, context: dict[str, Any]) -> str:
    return " ".join(render_to_string(f"emails/{name}-subject.txt", {"site_url": settings.SITE_URL, **context}).split())


def _render(*, name: str, to: str, context: dict[str, Any], reply_to: str = "") -> Rendered:
    context = {"site_url": settings.SITE_URL, **context}
    return Rendered(
        subject=_subject(name, context),
        text=render_to_string(f"emails/{name}-body.txt", context),
        html=render_to_string(f"emails/{name}-body.html", context),
        to=to,
        reply_to=reply_to,
    )


# --- Recorded by the change (letters.services), in its transaction --------------------------------


def link_message_enqueue(*, link: LetterLink) -> None:
    """The writer's invitation with their new link."""
    message_enqueue(
        kind="letter_request",
        key=f"letter_link:{link.pk}",
        subject_type="letters.letterlink",
        subject_id=link.pk,
        recipient_email=link.request.writer_email,
    )


def uploaded_message_enqueue(*, letter: Letter, replaced: bool) -> None:
    message_enqueue(
        kind="letter_uploaded",
        key=f"letter_uploaded:{letter.pk}",
        subject_type="letters.letter",
        subject_id=letter.pk,
        recipient_id=letter.request.applicant_id,
        payload={"replaced": replaced},
    )


def declined_message_enqueue(*, letter_request: LetterRequest) -> None:
    message_enqueue(
        kind="letter_declined",
        key=f"letter_declined:{letter_request.pk}:{letter_request.declined_at:%Y%m%dT%H%M%S.%f}",
        subject_type="letters.letterrequest",
        subject_id=letter_request.pk,
        recipient_id=letter_request.applicant_id,
    )


# --- Loaded and rendered by the outbox's workers ---------------------------------------------------


def links_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    """Links still live: one ended in the meantime (a quick resend, a revocation) is not sent."""
    links = (
        LetterLink.objects.filter(pk__in={r.subject_id for r in reminders}, ended_at__isnull=True)
        .select_related("request__applicant", "request__rotation__session__listing__institution")
        .in_bulk()
    )
    return {r.pk: links[r.subject_id] for r in reminders if r.subject_id in links}


def render_letter_request(*, reminder: Any, subject: LetterLink) -> Rendered:
    """The writer's invitation, with their personal link. Replies go to the applicant."""
    letter_request = subject.request
    return _render(
        name="letter-request",
        to=letter_request.writer_email,
        reply_to=letter_request.applicant.email,
        context={
            "letter_request": letter_request,
            "applicant_name": letter_request.applicant.get_full_name(),
            "rotation": letter_request.rotation,
            "url": _absolute(reverse("letters:write", args=[tokens.make_token(subject.key)])),
        },
    )


def uploads_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    """Only a letter that is still its request's current one tells the applicant it arrived."""
    letters = (
        Letter.objects.filter(pk__in={r.subject_id for r in reminders})
        .select_related("request__applicant", "request__current_letter")
        .in_bulk()
    )
    return {
        r.pk: letters[r.subject_id]
        for r in reminders
        if r.subject_id in letters and letters[r.subject_id].request.current_letter_id == r.subject_id
    }


def _uploaded_context(reminder: Any, letter: Letter) -> dict[str, Any]:
    return {
        "letter_request": letter.request,
        "replaced": bool(reminder.payload.get("replaced")),
        "url": _absolute(reverse("letters:list")),
    }


def render_letter_uploaded(*, reminder: Any, subject: Letter) -> Rendered:
    return _render(
        name="letter-uploaded", to=subject.request.applicant.email, context=_uploaded_context(reminder, subject)
    )


def uploaded_in_app(reminder: Any, letter: Letter) -> InApp:
    return InApp(title=_subject("letter-uploaded", _uploaded_context(reminder, letter)), url=reverse("letters:list"))


def declines_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    requests = (
        LetterRequest.objects.filter(pk__in={r.subject_id for r in reminders}, status=LetterRequest.Status.DECLINED)
        .select_related("applicant")
        .in_bulk()
    )
    return {r.pk: requests[r.subject_id] for r in reminders if r.subject_id in requests}


def render_letter_declined(*, reminder: Any, subject: LetterRequest) -> Rendered:
    return _render(
        name="letter-declined",
        to=subject.applicant.email,
        context={"letter_request": subject, "url": _absolute(reverse("letters:list"))},
    )


def declined_in_app(reminder: Any, letter_request: LetterRequest) -> InApp:
    return InApp(
        title=_subject("letter-declined", {"letter_request": letter_request}),
        body=letter_request.decline_message,
        url=reverse("letters:list"),
    )
