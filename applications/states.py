"""The application state machine: every state, and the one table of who may move it where.

Every status change in the portal goes through `applications.services.application_move`, which
consults ALLOWED_TRANSITIONS; nothing else writes `Application.status`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INTERVIEW = "interview", _("Interview")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    OFFER_EXPIRED = "offer_expired", _("Offer expired")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    COORDINATOR = "coordinator", _("Coordinator")
    SYSTEM = "system", _("System")


S = Status
A, C, SYS = Actor.APPLICANT, Actor.COORDINATOR, Actor.SYSTEM

# (from, to) -> the roles that may make that move. A pair that is absent is never allowed.
ALLOWED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({A}),
    (S.SUBMITTED, S.UNDER_REVIEW): frozenset({C}),
    (S.SUBMITTED, S.INTERVIEW): frozenset({C}),
    (S.SUBMITTED, S.WAITLISTED): frozenset({C}),
    # SYS: a match round's publication offers the matched place (rounds.services.round_publish).
    (S.SUBMITTED, S.OFFERED): frozenset({C, SYS}),
    (S.SUBMITTED, S.REJECTED): frozenset({C}),
    (S.UNDER_REVIEW, S.INTERVIEW): frozenset({C}),
    (S.UNDER_REVIEW, S.WAITLISTED): frozenset({C}),
    (S.UNDER_REVIEW, S.OFFERED): frozenset({C, SYS}),
    (S.UNDER_REVIEW, S.REJECTED): frozenset({C}),
    (S.INTERVIEW, S.WAITLISTED): frozenset({C}),
    (S.INTERVIEW, S.OFFERED): frozenset({C, SYS}),
    (S.INTERVIEW, S.REJECTED): frozenset({C}),
    # The system promotes the head of the waitlist when a place frees up.
    (S.WAITLISTED, S.OFFERED): frozenset({C, SYS}),
    (S.WAITLISTED, S.REJECTED): frozenset({C}),
    (S.OFFERED, S.ACCEPTED): frozenset({A}),
    (S.OFFERED, S.DECLINED): frozenset({A}),
    (S.OFFERED, S.OFFER_EXPIRED): frozenset({SYS}),
    # A programme takes back an offer not yet answered (an error, a session cut short): the seat
    # frees and goes to the head of the waitlist. An accepted place is the applicant's to give up.
    (S.OFFERED, S.REJECTED): frozenset({C}),
    (S.ACCEPTED, S.ENROLLED): frozenset({C}),
    (S.ENROLLED, S.COMPLETED): frozenset({C}),
    # An applicant may withdraw at any point before completion.
    (S.DRAFT, S.WITHDRAWN): frozenset({A}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({A}),
    (S.UNDER_REVIEW, S.WITHDRAWN): frozenset({A}),
    (S.INTERVIEW, S.WITHDRAWN): frozenset({A}),
    (S.WAITLISTED, S.WITHDRAWN): frozenset({A}),
    (S.OFFERED, S.WITHDRAWN): frozenset({A}),
    (S.ACCEPTED, S.WITHDRAWN): frozenset({A}),
    (S.ENROLLED, S.WITHDRAWN): frozenset({A}),
}

# States that hold one of the session's seats: open offers and everything after acceptance.
SEAT_HOLDING = frozenset({S.OFFERED, S.ACCEPTED, S.ENROLLED, S.COMPLETED})
# States from which nothing more happens.
FINAL = frozenset({S.DECLINED, S.OFFER_EXPIRED, S.REJECTED, S.WITHDRAWN, S.COMPLETED})
# States a coordinator sees in the queue (drafts are the applicant's own business).
IN_QUEUE = frozenset(set(S.values) - {S.DRAFT})


def roles_allowed(from_status: str, to_status: str) -> frozenset[str]:
    return ALLOWED_TRANSITIONS.get((from_status, to_status), frozenset())


def targets_for(from_status: str, role: str) -> list[str]:
    """The states `role` may move an application in `from_status` to, in diagram order."""
    return [to for (frm, to), roles in ALLOWED_TRANSITIONS.items() if frm == from_status and role in roles]


def reachable_by(role: str) -> list[str]:
    """Every state `role` may move some application to, in diagram order."""
    return list(dict.fromkeys(to for (_frm, to), roles in ALLOWED_TRANSITIONS.items() if role in roles))
