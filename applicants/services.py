"""Writes to applicants' profiles and documents. Views, the API and admin actions call these."""
from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from .models import ApplicantProfile


class ApplicantsError(Exception):
    """A refused change, with a message fit to show the user."""


def profile_get_or_create(*, user: Any) -> ApplicantProfile:
    """The applicant's profile, created empty on first use (a double request creates one)."""
    try:
        return ApplicantProfile.objects.get(user=user)
    except ApplicantProfile.DoesNotExist:
        try:
            with transaction.atomic():
                return ApplicantProfile.objects.create(user=user)
        except IntegrityError:
            # Another request created it between our read and our insert.
            return ApplicantProfile.objects.get(user=user)
