"""Reusable filters for letter requests."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class LetterRequestQuerySet(models.QuerySet):
    def of_applicant(self, user: Any) -> LetterRequestQuerySet:
        return self.filter(applicant=user)

    def active(self) -> LetterRequestQuerySet:
        return self.filter(status__in=self.model.ACTIVE)

    def lapsed(self, at=None) -> LetterRequestQuerySet:
        """Still waiting for the writer, but the link has stopped working."""
        return self.filter(status__in=self.model.AWAITING_WRITER, expires_at__lte=at or timezone.now())

    def awaiting_writer(self, at=None) -> LetterRequestQuerySet:
        """The writer has neither uploaded nor declined, and the link still works."""
        return self.filter(status__in=self.model.AWAITING_WRITER, expires_at__gt=at or timezone.now())

    def due_before(self, moment) -> LetterRequestQuerySet:
        """For the writers' reminders: still awaited, and needed by an application deadline before `moment`."""
        return self.awaiting_writer().filter(due_at__lte=moment)
