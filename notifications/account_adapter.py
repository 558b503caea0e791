"""allauth's account e-mails (address confirmation, password reset, security notices) go through
the outbox like every other e-mail: rendered now, while the request that causes them is at hand,
recorded in the outbox, and sent by its workers (retried, counted, visible to the operators)."""

from __future__ import annotations

import uuid

from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from accounts.adapter import AccountAdapter as AccountsAdapter

from .messages import ACCOUNT_KIND
from .outbox import message_enqueue


class AccountAdapter(AccountsAdapter):
    """accounts' rules (one password prompt for staff), with the e-mails sent through the outbox."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        if message.content_subtype == "html":
            text, html = "", message.body
        else:
            text = message.body
        message_enqueue(
            kind=ACCOUNT_KIND,
            # Each account e-mail is its own message: a second reset link is a second e-mail.
            key=f"account:{uuid.uuid4()}",
            subject_type="account.email",
            subject_id=0,
            recipient_email=email,
            payload={
                "template": template_prefix.rsplit("/", 1)[-1],
                "subject": message.subject,
                "text": text,
                "html": html,
            },
        )
