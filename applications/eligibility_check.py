"""The applicant's eligibility for a session, as the apply form and the packet show it.

The rules live in `applicants.eligibility` (the applicants app owns profiles and documents);
this module adapts its result to what applications need: may they submit, and if not, what
exactly is missing, in the engine's own words.
"""

from dataclasses import dataclass, field
from typing import Any

from applicants.eligibility import evaluate
from applicants.models import ApplicantProfile
from placements.models import Session


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The same reasons as the engine gave them, with where each is fixed (fix_section, fix_document).
    fixes: list[Any] = field(default_factory=list)


def eligibility_for(*, applicant: Any, session: Session) -> Eligibility:
    # No profile yet: judge an empty one, so the applicant is told every field that is missing.
    profile = ApplicantProfile.objects.filter(user=applicant).first() or ApplicantProfile(user=applicant)
    result = evaluate(profile=profile, session=session)
    return Eligibility(
        eligible=result.eligible,
        reasons=result.all_messages(),
        warnings=[w.message for w in result.warnings],
        fixes=[*result.reasons, *result.missing],
    )


def applicant_time_zone(applicant: Any) -> str | None:
    """The applicant's own time zone, or None to use the portal's."""
    time_zone = ApplicantProfile.objects.filter(user=applicant).values_list("time_zone", flat=True).first()
    return time_zone or None
