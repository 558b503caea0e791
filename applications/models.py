"""Applications to a placement session, their history, and what coordinators add to them."""

import datetime as dt
import secrets
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import Listing, Session

from .querysets import ApplicationQuerySet
from .states import FINAL, SEAT_HOLDING, Actor, Status


class NextStep(NamedTuple):
    action: str
    due: dt.datetime | dt.date | None
    # A datetime is shown with its time in the reader's zone; a date (a rotation's start) as is.
    due_has_time: bool


class Application(models.Model):
    Status = Status

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="applications")
    # No column: a path for queries from applicant_id straight to the applicant's profile, so the queue's
    # Step 2, graduation and visa columns are one join per application, not two (through the user).
    applicant_profile = models.ForeignObject(
        "applicants.ApplicantProfile",
        on_delete=models.DO_NOTHING,
        from_fields=["applicant"],
        to_fields=["user"],
        related_name="+",
        null=True,
        editable=False,
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    personal_statement = models.TextField(blank=True)
    # Documents from the applicant's profile that they chose to send with this application.
    documents = models.ManyToManyField("applicants.Document", blank=True, related_name="applications")
    # Eligibility as evaluated when the applicant submitted, so the queue can filter on it.
    eligible_at_submit = models.BooleanField(null=True, blank=True)
    eligibility_reasons = models.JSONField(default=list, blank=True)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    fee_paid_at = models.DateTimeField(null=True, blank=True)
    evaluation = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A double click or a resubmitted form can never create a second application.
            models.UniqueConstraint(fields=["applicant", "session"], name="application_one_per_applicant_session"),
            models.CheckConstraint(
                condition=~Q(status=Status.OFFERED) | Q(offer_expires_at__isnull=False),
                name="application_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.WAITLISTED) | Q(waitlist_position__isnull=False),
                name="application_waitlist_has_position",
            ),
            # Implied today by application_one_per_applicant_session, and stated on its own so that
            # relaxing that one (applying again after a withdrawal) cannot let anyone hold two places.
            models.UniqueConstraint(
                fields=["applicant", "session"],
                condition=Q(status__in=sorted(SEAT_HOLDING)),
                name="application_one_seat_per_applicant_session",
            ),
            models.UniqueConstraint(
                fields=["session", "waitlist_position"],
                condition=Q(status=Status.WAITLISTED),
                name="application_waitlist_position_unique",
            ),
            # Places held never exceed the session's seats, and an archived session has no open
            # offer: held by a deferred constraint trigger on PostgreSQL (migration
            # "seat_invariants"), which Django's constraints cannot express; see docs/seats.md.
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.session}"

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", args=[self.pk])

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def status_label(self) -> str:
        # What get_status_display() shows, with one translation: get_status_display() builds a dict of
        # every state's label (13 translations) at each call, 650 for a page of the queue.
        return Status(self.status).label

    @property
    def status_tone(self) -> str:
        """The state's badge: ok (holds or held a seat), bad (ended without one), warn (under way)."""
        if self.status in SEAT_HOLDING:
            return "ok"
        return "bad" if self.status in FINAL else "warn"

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    def next_step(self) -> "NextStep":
        """What the applicant should do next, and by when (None: nothing is due)."""
        slot = getattr(self, "interview_slot", None)
        steps = {
            Status.DRAFT: (_("Finish and submit your application"), self.session.applications_close_at),
            Status.SUBMITTED: (_("Wait for the programme to review your application"), None),
            Status.UNDER_REVIEW: (_("Wait for the programme's decision"), None),
            Status.INTERVIEW: (
                (_("Attend your interview"), slot.starts_at) if slot else (_("Book an interview time"), None)
            ),
            Status.WAITLISTED: (_("You are on the waitlist; we will tell you if a place opens"), None),
            Status.OFFERED: (_("Accept or decline the offer"), self.offer_expires_at),
            Status.ACCEPTED: (_("Complete your pre-arrival checklist"), self.session.start_date),
            Status.ENROLLED: (_("Attend your rotation"), self.session.end_date),
            Status.COMPLETED: (_("Download your certificate and review the programme"), None),
        }
        action, due = steps.get(self.status, (_("Nothing more to do"), None))
        return NextStep(action, due, isinstance(due, dt.datetime))


class ApplicationEvent(models.Model):
    """One move (or message) in an application's history. Internal ones never reach the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=12, choices=Actor.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    message = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status or '—'}"

    @property
    def is_move(self) -> bool:
        return bool(self.to_status) and self.to_status != self.from_status


class ListingQuestion(models.Model):
    """A programme's own question, defined per listing by its coordinators."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Free text")
        CHOICE = "choice", _("One of a list")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="questions")
    prompt = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text=_("For a choice question: one option a line."))
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="choice") | ~Q(choices=""), name="question_choice_has_options"),
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ListingQuestion, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="answer_one_per_question")]


class Note(models.Model):
    """A coordinator's private note, shared with the institution's other coordinators."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Score(models.Model):
    """One coordinator's mark on one rubric criterion, 1 (weak) to 5 (outstanding)."""

    class Criterion(models.TextChoices):
        ACADEMICS = "academics", _("Academic record and USMLE")
        CLINICAL = "clinical", _("Clinical readiness")
        COMMUNICATION = "communication", _("Communication and English")
        FIT = "fit", _("Fit with the programme")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    criterion = models.CharField(max_length=20, choices=Criterion.choices)
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "scorer", "criterion"], name="score_one_per_scorer_criterion"
            ),
            models.CheckConstraint(condition=Q(value__gte=1) & Q(value__lte=5), name="score_value_1_to_5"),
        ]


def _verification_code() -> str:
    # Unambiguous characters only: people type this code from paper.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


class Certificate(models.Model):
    """The certificate of completion; anyone holding the code can check what it states."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=14, unique=True, default=_verification_code)
    # What the certificate states, frozen at issue so later edits cannot change a printed claim.
    holder_name = models.CharField(max_length=150)
    listing_title = models.CharField(max_length=200)
    institution_name = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code


class InterviewSlot(models.Model):
    """A time a coordinator offers for an interview; at most one application books it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="interview_slots")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    where = models.CharField(max_length=300, help_text=_("A video link or a room."))
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="interview_slot"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="slot_unique_session_start"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="slot_duration_at_least_5"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class ChecklistItem(models.Model):
    """One step of the pre-arrival checklist of an accepted applicant."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document due before the start")
        FEE = "fee", _("Fee paid")
        ONBOARDING = "onboarding", _("Onboarding step")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checklist")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    label = models.CharField(max_length=200)
    # Who ticks it: the fee is confirmed by the coordinator; the rest by the applicant.
    coordinator_only = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "label"], name="checklist_unique_label")]


class Review(models.Model):
    """A review of a listing by an applicant whose rotation there was marked completed."""

    class HandsOn(models.IntegerChoices):
        OBSERVED = 1, _("Observed only")
        SOME = 2, _("Some supervised patient contact")
        MOSTLY = 3, _("Mostly hands-on")
        FULLY = 4, _("Fully hands-on, like a sub-intern")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="review")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reviews")
    hands_on = models.PositiveSmallIntegerField(choices=HandsOn.choices)
    letter_received = models.BooleanField(help_text=_("Did the promised letter of recommendation come?"))
    real_total_cost = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    comment = models.TextField(blank=True)
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden = models.BooleanField(default=False, help_text=_("Hidden by an admin moderator."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(real_total_cost__gte=0), name="review_cost_not_negative")]
