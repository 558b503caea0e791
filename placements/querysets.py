"""Reusable filters for institutions, listings and sessions."""
from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class InstitutionQuerySet(models.QuerySet):
    def coordinated_by(self, user: Any) -> InstitutionQuerySet:
        return self.filter(memberships__user=user)


class ListingQuerySet(models.QuerySet):
    def published(self) -> ListingQuerySet:
        return self.filter(status="published")

    def of_institutions_coordinated_by(self, user: Any) -> ListingQuerySet:
        """What a coordinator may manage: their own institutions' listings, whatever the status."""
        return self.filter(institution_id__in=user.coordinator_institution_ids)


class SessionQuerySet(models.QuerySet):
    def published(self) -> SessionQuerySet:
        return self.filter(listing__status="published")

    def open_for_applications(self, at=None) -> SessionQuerySet:
        at = at or timezone.now()
        return self.filter(applications_open_at__lte=at, applications_close_at__gt=at)

    def upcoming(self, today=None) -> SessionQuerySet:
        return self.filter(start_date__gte=today or timezone.localdate())
