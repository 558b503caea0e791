"""Reusable filters for applicants' documents."""

from __future__ import annotations

from typing import Any

from django.db import models


class DocumentQuerySet(models.QuerySet):
    def owned_by(self, user: Any) -> DocumentQuerySet:
        return self.filter(owner=user)

    def with_current_files(self) -> DocumentQuerySet:
        """Documents with their current version and what it proves, in two queries whatever the count."""
        return (
            self.filter(current_version__isnull=False)
            .select_related("current_version")
            .prefetch_related("current_version__immunisations")
        )


class DocumentVersionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> DocumentVersionQuerySet:
        """Versions this user may download: their own.

        Coordinators' access to the documents attached to applications at their institutions is
        added by the applications app (it owns that relation); until then, only the owner.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(document__owner=user)
