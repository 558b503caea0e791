"""The 90-day request to confirm a listing's details."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import notifications, selectors, services


def freshness_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail the coordinators of each listing due a confirmation; returns how many listings.

    Each listing is claimed before its e-mail goes (services.freshness_reminder_claim), so a second
    run, or a redelivered task, sends nothing until REMIND_EVERY has passed again."""
    now = now or timezone.now()
    sent = 0
    for listing in selectors.listings_due_a_reminder(now).select_related("institution").iterator(500):
        if services.freshness_reminder_claim(listing_id=listing.pk, now=now, every=selectors.REMIND_EVERY):
            notifications.ask_coordinators_to_confirm(listing=listing, now=now)
            sent += 1
    return sent
