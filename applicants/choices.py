"""Vocabulary of the applicant profile (shared vocabularies live in placements.choices)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingStage(models.TextChoices):
    STUDENT = "student", _("Medical student")
    GRADUATE = "graduate", _("Medical graduate")


class EcfmgStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    CERTIFIED = "certified", _("Certified")


class ExamResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class HandsOnPreference(models.TextChoices):
    HANDS_ON = "hands_on", _("Hands-on")
    OBSERVATIONAL = "observational", _("Observational")
    EITHER = "either", _("Either")
