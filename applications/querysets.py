"""Reusable filters for applications."""

from __future__ import annotations

from typing import Any

from django.db import models

from .states import IN_QUEUE, SEAT_HOLDING


class ApplicationQuerySet(models.QuerySet):
    def of_applicant(self, user: Any) -> ApplicationQuerySet:
        return self.filter(applicant=user)

    def for_coordinator(self, user: Any) -> ApplicationQuerySet:
        """Applications to the institutions `user` coordinates, drafts excluded."""
        return self.filter(session__listing__institution_id__in=user.coordinator_institution_ids, status__in=IN_QUEUE)

    def holding_seats(self) -> ApplicationQuerySet:
        return self.filter(status__in=SEAT_HOLDING)
