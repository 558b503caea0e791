"""Reusable filters for match rounds."""

from __future__ import annotations

import datetime as dt

from django.db import models

from applications.states import Status

# Applications that can take part in a round: submitted and still undecided. Waitlisted ones can
# too, since a match offer replaces the waitlist for the round's sessions.
RANKABLE = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.INTERVIEW, Status.WAITLISTED})


class RoundQuerySet(models.QuerySet):
    def due(self, now: dt.datetime) -> RoundQuerySet:
        return self.filter(status="open", publish_at__lte=now)


def rankable_applications(queryset: models.QuerySet) -> models.QuerySet:
    """Applications that may be ranked: undecided, and not found ineligible when submitted."""
    return queryset.filter(status__in=RANKABLE).exclude(eligible_at_submit=False)
