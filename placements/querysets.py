"""Reusable filters for institutions, listings and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

# The number of seats held on the session OuterRef("pk"), as a one-value subquery: applications
# registers it in its AppConfig.ready(), the catalogue does not import applications.
SEATS_HELD: list[Callable[[], QuerySet]] = []


def register_seats_held(subquery: Callable[[], QuerySet]) -> None:
    SEATS_HELD[:] = [subquery]


class InstitutionQuerySet(models.QuerySet):
    def coordinated_by(self, user: Any) -> InstitutionQuerySet:
        return self.filter(memberships__user=user)


class ListingQuerySet(models.QuerySet):
    def published(self) -> ListingQuerySet:
        return self.filter(status="published")

    def of_institutions_coordinated_by(self, user: Any) -> ListingQuerySet:
        """What a coordinator may manage: their own institutions' listings, whatever the status."""
        return self.filter(institution_id__in=user.coordinator_institution_ids)

    def visible_to(self, user: Any) -> ListingQuerySet:
        """Published listings for everyone; drafts too for their institution's coordinators and admins."""
        if getattr(user, "is_authenticated", False):
            if user.is_admin:
                return self.all()
            if user.coordinator_institution_ids:
                return self.filter(Q(status="published") | Q(institution_id__in=user.coordinator_institution_ids))
        return self.published()

    def with_total_cost(self) -> ListingQuerySet:
        return self.annotate(total_cost_usd=F("programme_fee") + F("application_fee") + F("deposit") + F("other_costs"))

    def with_session_summary(self, at: dt.datetime | None = None) -> ListingQuerySet:
        """Annotate the next start date, the next application deadline and whether a window is open.

        Subqueries rather than JOIN + GROUP BY so that the annotations combine with full-text rank and
        the other filters without multiplying rows.
        """
        at = at or timezone.now()
        # The Session model through the reverse relation: placements' models import this module.
        session_model = self.model._meta.get_field("sessions").related_model
        sessions = session_model.objects.filter(listing=OuterRef("pk"), is_archived=False)
        return self.annotate(
            next_start=Subquery(
                sessions.filter(start_date__gte=at.date()).order_by("start_date").values("start_date")[:1]
            ),
            next_deadline=Subquery(
                sessions.filter(applications_close_at__gt=at)
                .order_by("applications_close_at")
                .values("applications_close_at")[:1]
            ),
            is_open_now=Exists(sessions.filter(applications_open_at__lte=at, applications_close_at__gt=at)),
        )


class SessionQuerySet(models.QuerySet):
    def published(self) -> SessionQuerySet:
        return self.filter(listing__status="published")

    def active(self) -> SessionQuerySet:
        return self.filter(is_archived=False)

    def open_for_applications(self, at=None) -> SessionQuerySet:
        at = at or timezone.now()
        return self.filter(is_archived=False, applications_open_at__lte=at, applications_close_at__gt=at)

    def upcoming(self, today=None) -> SessionQuerySet:
        return self.filter(is_archived=False, start_date__gte=today or timezone.localdate())

    def with_seats_left(self) -> SessionQuerySet:
        """Seats left = seats minus places held (what the applications app counts as holding a
        seat: open offers and accepted, enrolled or completed applications), in one correlated
        subquery.

        Pages read `seats_left`, never `seats`.
        """
        held = SEATS_HELD[0]()
        return self.annotate(seats_left=Greatest(F("seats") - Coalesce(Subquery(held), 0), 0))
