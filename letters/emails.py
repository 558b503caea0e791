"""The letters' e-mails, one sender per message, each rendering templates/emails/<name>-subject.txt,
-body.txt and -body.html.

The writer has no account, so these address a plain e-mail address rather than a user.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.services import notification_create

from .models import LetterLink, LetterRequest


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(*, name: str, to: str, context: dict[str, Any], reply_to: str | None = None) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}-body.txt", context),
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    message.send()


def notify_in_app(
    *, letter_request: LetterRequest, name: str, context: dict[str, Any] | None = None, body: str = ""
) -> None:
    """The applicant's in-app message beside the e-mail `name`, titled as its subject, linking to their letters."""

    title = " ".join(
        render_to_string(f"emails/{name}-subject.txt", {"letter_request": letter_request, **(context or {})}).split()
    )
    notification_create(
        recipient=letter_request.applicant,
        kind=name.replace("-", "_"),
        title=title[:200],
        url=reverse("letters:list"),
        body=body,
    )


def send_letter_request(*, link: LetterLink, token: str) -> None:
    """The writer's invitation, with their personal link. Replies go to the applicant."""
    letter_request = link.request
    _send(
        name="letter-request",
        to=letter_request.writer_email,
        reply_to=letter_request.applicant.email,
        context={
            "letter_request": letter_request,
            "applicant_name": letter_request.applicant.get_full_name(),
            "rotation": letter_request.rotation,
            "url": _absolute(reverse("letters:write", args=[token])),
        },
    )


def send_letter_uploaded(*, letter_request: LetterRequest, replaced: bool) -> None:
    _send(
        name="letter-uploaded",
        to=letter_request.applicant.email,
        context={"letter_request": letter_request, "replaced": replaced, "url": _absolute(reverse("letters:list"))},
    )


def send_letter_declined(*, letter_request: LetterRequest) -> None:
    _send(
        name="letter-declined",
        to=letter_request.applicant.email,
        context={"letter_request": letter_request, "url": _absolute(reverse("letters:list"))},
    )
