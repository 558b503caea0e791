"""Letters of recommendation: the applicant's request, the writer's link, the uploaded files and
who read them.

A request is one writer asked for one letter. The writer has no account: they reach the request
through a signed link (`LetterLink`); a resend or a revocation kills the old link. Each upload is
a `Letter` row (a file version); the request points at the newest.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import LetterRequestQuerySet


class LetterRequest(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        UPLOADED = "uploaded", _("Uploaded")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    # (from, to) pairs the services may make. `letter_request_resend` re-opens an expired or
    # revoked request; an uploaded letter can be replaced (uploaded -> uploaded) until it is locked.
    ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
        (Status.SENT, Status.OPENED): "writer opens the link",
        (Status.SENT, Status.UPLOADED): "writer uploads",
        (Status.OPENED, Status.UPLOADED): "writer uploads",
        (Status.UPLOADED, Status.UPLOADED): "writer replaces the file",
        (Status.SENT, Status.DECLINED): "writer declines",
        (Status.OPENED, Status.DECLINED): "writer declines",
        (Status.SENT, Status.EXPIRED): "link lapses",
        (Status.OPENED, Status.EXPIRED): "link lapses",
        (Status.SENT, Status.REVOKED): "applicant revokes",
        (Status.OPENED, Status.REVOKED): "applicant revokes",
        (Status.EXPIRED, Status.REVOKED): "applicant revokes",
        (Status.SENT, Status.SENT): "applicant resends",
        (Status.OPENED, Status.SENT): "applicant resends",
        (Status.EXPIRED, Status.SENT): "applicant resends",
        (Status.REVOKED, Status.SENT): "applicant resends",
    }
    # While a request is in one of these states the same writer cannot be asked again.
    ACTIVE = frozenset({Status.SENT, Status.OPENED, Status.UPLOADED})
    # The writer may still upload or decline.
    AWAITING_WRITER = frozenset({Status.SENT, Status.OPENED})
    # Shown statuses from which the applicant may send a new link, or revoke.
    RESENDABLE = frozenset({Status.SENT, Status.OPENED, Status.EXPIRED, Status.REVOKED})
    REVOCABLE = frozenset({Status.SENT, Status.OPENED, Status.EXPIRED})

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_requests")
    writer_name = models.CharField(_("writer's name"), max_length=150)
    writer_email = models.EmailField(_("writer's e-mail address"))
    writer_title = models.CharField(
        _("writer's title"), max_length=150, help_text=_("e.g. Attending Physician, Program Director.")
    )
    writer_institution = models.CharField(_("writer's institution"), max_length=200)
    relationship = models.CharField(
        _("how they know you"),
        max_length=300,
        help_text=_("e.g. Supervised me for four weeks on the inpatient medicine service."),
    )
    rotation = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rotation completed on the portal"),
        help_text=_("If the writer supervised you on a rotation you found here."),
    )
    message = models.TextField(_("note to the writer"), blank=True, max_length=2000)
    waived = models.BooleanField(
        _("I waive my right to read this letter"),
        default=True,
        help_text=_("Programmes give more weight to confidential letters. You cannot change this after sending."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT, db_index=True)
    expires_at = models.DateTimeField(help_text=_("When the current link stops working."))
    # The earliest application deadline among the applications the letter is assigned to; the
    # writers' reminders read it (see letters.services.letter_request_refresh_due).
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    current_letter = models.OneToOneField("Letter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decline_message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = LetterRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A double click, or asking the same writer twice, cannot create a second live request.
            models.UniqueConstraint(
                "applicant",
                Lower("writer_email"),
                condition=Q(status__in=["sent", "opened", "uploaded"]),
                name="letterrequest_one_active_per_writer",
            ),
            models.CheckConstraint(
                condition=~Q(status="uploaded") | Q(current_letter__isnull=False),
                name="letterrequest_uploaded_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.writer_name} for {self.applicant}"

    @property
    def shown_status(self) -> str:
        """The status as people should see it: a lapsed link reads as expired before the sweep runs."""
        if self.status in self.AWAITING_WRITER and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status

    def get_shown_status_display(self) -> str:
        return self.Status(self.shown_status).label

    @property
    def has_file(self) -> bool:
        return self.current_letter_id is not None


class Letter(models.Model):
    """One uploaded file of a request. A replacement adds a row; the request points at the newest."""

    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="versions")
    # Stored by applicants.uploads.store_upload under a random name in the private storage.
    file = models.FileField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"Letter {self.id} of {self.request}"


class LetterLink(models.Model):
    """One link e-mailed to a writer. The token signs `key`; revoking or resending kills the row."""

    class Ended(models.TextChoices):
        REPLACED = "replaced", _("A new link was sent")
        REVOKED = "revoked", _("The applicant withdrew the request")

    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="links")
    key = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_because = models.CharField(max_length=10, choices=Ended.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(ended_at__isnull=True), name="letterlink_one_live_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Link {self.id} of {self.request}"


class LetterAssignment(models.Model):
    """A letter chosen for an application. Changeable while the application is a draft, fixed after.

    Unassigning deletes the row, so a coordinator can only ever reach letters assigned now.
    """

    letter_request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="assignments")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="letter_assignments"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["letter_request", "application"], name="letterassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_request} → application {self.application_id}"


class LetterAccess(models.Model):
    """One reading of a letter by a coordinator: who, when, which file, through which application."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="accesses")
    application = models.ForeignKey("applications.Application", on_delete=models.SET_NULL, null=True, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reader_email = models.EmailField(help_text=_("Kept if the account is later deleted."))
    read_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name_plural = "letter accesses"

    def __str__(self) -> str:
        return f"{self.reader_email} read letter {self.letter_id} at {self.read_at:%Y-%m-%d %H:%M}"
