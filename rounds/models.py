"""Match rounds: a set of sessions filled by deferred acceptance instead of first come, first served.

Both kinds of rank list are lists of applications: an applicant orders their own applications
(one per session), a coordinator orders the applications to one session. One row per ranked
application with an integer position; a unique constraint on the position makes a tie impossible
to store, whatever path wrote it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from placements.models import Institution, Session

from .querysets import RoundQuerySet


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for ranking")
        PUBLISHED = "published", _("Results published")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(max_length=200)
    # Null for a round an admin opened across institutions.
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="match_rounds"
    )
    sessions = models.ManyToManyField(Session, related_name="match_rounds")
    rank_deadline = models.DateTimeField(help_text=_("Rank lists can be changed until this moment."))
    publish_at = models.DateTimeField(help_text=_("When the match runs and everyone sees their result."))
    offer_deadline = models.DateTimeField(help_text=_("Matched applicants accept or decline their offer by then."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A cancelled round keeps its rank lists for the record; nothing in it changes any more.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    matched_count = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_at__gte=F("rank_deadline")), name="round_publish_after_deadline"
            ),
            models.CheckConstraint(condition=Q(offer_deadline__gt=F("publish_at")), name="round_offers_after_publish"),
            models.CheckConstraint(
                condition=Q(status="open", published_at__isnull=True, cancelled_at__isnull=True)
                | Q(status="published", published_at__isnull=False, cancelled_at__isnull=True)
                | Q(status="cancelled", published_at__isnull=True, cancelled_at__isnull=False),
                name="round_status_has_its_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_ranks(self, at) -> bool:
        return self.status == self.Status.OPEN and at < self.rank_deadline

    def change_refusal(self, at) -> str:
        """Why the round can no longer be edited at ``at`` (empty while it can): once its
        publication time has come the match may be running."""
        if self.status == self.Status.PUBLISHED:
            return str(_("The results of this round are published: it can no longer be edited."))
        if self.status == self.Status.CANCELLED:
            return str(_("This round was cancelled: it can no longer be edited."))
        if at >= self.publish_at:
            return str(_("The publication time of this round has come: it can no longer be edited."))
        return ""

    def cancel_refusal(self) -> str:
        """Why the round can no longer be cancelled (empty while it can, and once it is: cancelling
        it again changes nothing)."""
        if self.status == self.Status.PUBLISHED:
            return str(_("The results of this round are published: it can no longer be cancelled."))
        return ""


class ApplicantRank(models.Model):
    """One entry of an applicant's rank list: their application to one session of the round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="applicant_ranks")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "applicant", "position"], name="applicant_rank_no_tie"),
            models.UniqueConstraint(fields=["round", "application"], name="applicant_rank_once"),
        ]


class SessionRank(models.Model):
    """One entry of a session's rank list, written by the institution's coordinators."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="session_ranks")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    ranked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "session", "position"], name="session_rank_no_tie"),
            models.UniqueConstraint(fields=["round", "application"], name="session_rank_once"),
        ]


class RoundOutcome(models.Model):
    """What one participating applicant got when the round published (no application: unmatched)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="outcomes")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_outcomes")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "applicant"], name="round_outcome_once")]

    @property
    def matched(self) -> bool:
        return self.application_id is not None
