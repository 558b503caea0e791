"""How complete a profile is, and the next most useful thing to add.

Steps are listed in order of usefulness: what listings filter on first (training stage, visa,
ECFMG, USMLE), then what ranks matches, then the documents nearly every programme asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from placements.choices import DocumentKind

from .models import ApplicantProfile


@dataclass(frozen=True)
class Step:
    label: str
    weight: int
    done: bool
    url: str


@dataclass(frozen=True)
class Completeness:
    percent: int
    steps: list[Step]

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)

    @property
    def remaining(self) -> list[Step]:
        return [step for step in self.steps if not step.done]


_PROFILE_STEPS: list[tuple[str, int, str, Callable[[ApplicantProfile], bool] | None]] = [
    (
        _("Say whether you are a student or a graduate, and your graduation year"),
        3,
        "education",
        lambda p: bool(p.training_stage and p.graduation_year),
    ),
    (_("Add the visa you will hold for the placement"), 3, "visa", lambda p: bool(p.planned_visa)),
    (_("Add your ECFMG certification status"), 3, "exams", lambda p: bool(p.ecfmg_status)),
    (_("Add your USMLE Step 1 result"), 2, "exams", lambda p: bool(p.step1_result)),
    (_("Add your Step 2 CK score"), 2, "exams", lambda p: p.step2ck_score is not None),
    (_("Choose the specialties you are interested in"), 2, "preferences", None),
    (_("Set the dates you are available"), 1, "preferences", lambda p: bool(p.available_from and p.available_until)),
    (_("Add your budget"), 1, "preferences", lambda p: p.budget_usd is not None),
    (_("Choose the states you prefer"), 1, "preferences", lambda p: bool(p.preferred_states)),
    (
        _("Say whether you prefer hands-on or observational placements"),
        1,
        "preferences",
        lambda p: bool(p.hands_on_preference),
    ),
    (
        _("Tell us where you studied medicine"),
        1,
        "education",
        lambda p: bool(p.medical_school and p.medical_school_country),
    ),
    (
        _("Add your citizenship, residence and time zone"),
        1,
        "about",
        lambda p: bool(p.citizenship_country and p.residence_country and p.time_zone),
    ),
    (_("Add your USMLE/ECFMG identification number"), 1, "exams", lambda p: bool(p.usmle_id)),
]

# Inserted after the exams: the documents programmes ask for most.
_DOCUMENT_STEPS: list[tuple[str, int, str]] = [
    (_("Upload your CV"), 2, DocumentKind.CV),
    (_("Upload your immunisation record"), 2, DocumentKind.IMMUNISATION_RECORD),
    (_("Upload your passport"), 1, DocumentKind.PASSPORT),
]


def completeness(profile: ApplicantProfile, document_kinds: set[str]) -> Completeness:
    """`document_kinds`: kinds the applicant has a current file for (read by the caller, once)."""
    # One query at most; the specialties step has no field to look at on the row itself.
    has_specialties = bool(profile.pk) and profile.specialties_of_interest.exists()
    steps = [
        Step(
            str(label),
            weight,
            check(profile) if check else has_specialties,
            reverse("applicants:profile_section", args=[section]),
        )
        for label, weight, section, check in _PROFILE_STEPS
    ]
    documents = [
        Step(str(label), weight, kind in document_kinds, reverse("applicants:document_upload") + f"?kind={kind}")
        for label, weight, kind in _DOCUMENT_STEPS
    ]
    steps = steps[:6] + documents + steps[6:]
    total = sum(step.weight for step in steps)
    done = sum(step.weight for step in steps if step.done)
    return Completeness(percent=round(100 * done / total), steps=steps)
