"""The applicant's eligibility for a session, as the apply form and the queue show it.

The rules live in `applicants.eligibility` (the applicants app owns profiles and documents);
this module only adapts its result to what applications need: can they submit, and if not,
what exactly is missing.
"""
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from placements.models import Session


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    # False while the engine is not installed: the form says so instead of pretending.
    checked: bool = True


def eligibility_for(*, applicant: Any, session: Session) -> Eligibility:
    try:
        from applicants.eligibility import evaluate
        from applicants.models import ApplicantProfile
    except ImportError:
        return Eligibility(eligible=True, reasons=[], checked=False)
    profile = ApplicantProfile.objects.filter(user=applicant).first()
    if profile is None:
        return Eligibility(eligible=False, reasons=[_("Fill in your applicant profile.")])
    result = evaluate(profile=profile, session=session)
    reasons = [str(getattr(reason, "message", reason)) for reason in result.reasons]
    return Eligibility(eligible=bool(result.eligible), reasons=reasons)


def applicant_time_zone(applicant: Any) -> str | None:
    """The applicant's own time zone, or None to use the portal's."""
    # A missing profile raises RelatedObjectDoesNotExist, an AttributeError: getattr gives None.
    profile = getattr(applicant, "applicant_profile", None)
    return getattr(profile, "time_zone", "") or None
