"""The alerts' e-mails: one render function per kind (templates/emails/alert-*), rendered by
notifications.emails.render_templated in the applicant's zone, with the kind's one-click
unsubscribe link. They never send: the outbox does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from notifications.emails import absolute, reminder_url, render_templated
from notifications.kinds import Rendered, first_url


def _item(alert: Any) -> dict[str, Any]:
    listing = alert.listing
    return {
        "title": listing.title,
        "where": f"{listing.institution.name}, {listing.institution.city}, {listing.institution.state}",
        "session_start": alert.session.start_date if alert.session else None,
        "closes_at": alert.session.applications_close_at if alert.session else None,
        "new_session": alert.event == "new_session",
        "search": alert.saved_search.name if alert.saved_search else "",
        "url": absolute(first_url(("placements:listing", [listing.pk]))),
    }


def _context(reminder: Any, batch: Any) -> dict[str, Any]:
    return {
        "items": [_item(alert) for alert in batch.alerts],
        "item": _item(batch.first),
        "digest": batch.digest,
        "weekly": batch.frequency == "weekly",
        "url": absolute(reminder_url(reminder)),
        "searches_url": absolute(first_url(("alerts:list", []), ("placements:search", []))),
        "preferences_url": absolute(reverse("notifications:preferences")),
    }


def renderer(template: str) -> Callable[..., Rendered]:
    """The render function of a kind whose message is `templates/emails/<template>-*`."""

    def render(*, reminder: Any, subject: Any) -> Rendered:
        return render_templated(
            name=template,
            user=reminder.recipient,
            unsubscribe_kind=reminder.kind,
            context=_context(reminder, subject),
        )

    return render


render_search_match = renderer("alert-search-match")
render_window_open = renderer("alert-window-open")
render_seats_free = renderer("alert-seats-free")
