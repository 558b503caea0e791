from __future__ import annotations

from typing import Any

from django.db import models


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def of_user(self, user: Any) -> ApiTokenQuerySet:
        return self.filter(user=user)
