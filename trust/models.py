"""What lets applicants trust a listing: reports of wrong information, freshness confirmations and
visa invitation letters. Responsiveness figures live on the listing and institution rows
(placements.models.Responsiveness), written by trust.responsiveness."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from placements.models import Institution, Listing


def _verification_code() -> str:
    # Unambiguous characters only: a consular officer types this code from paper.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "V-" + "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


class InstitutionLetterhead(models.Model):
    """What heads and signs the institution's visa invitation letters, set by its coordinators."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="letterhead")
    letterhead = models.TextField(
        help_text=_("The lines at the top of each letter: the institution's name, address, telephone.")
    )
    signatory_name = models.CharField(max_length=150)
    signatory_title = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self) -> str:
        return f"Letterhead of {self.institution.name}"


class VisaLetter(models.Model):
    """A B-1/B-2 visa interview invitation letter for an accepted applicant.

    What it states is frozen at issue, so later edits cannot change a printed claim. At most one
    letter of an application is in force (not revoked); a corrected letter is issued after the
    earlier one is revoked.
    """

    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="visa_letters")
    code = models.CharField(max_length=16, unique=True, default=_verification_code)
    holder_name = models.CharField(max_length=150)
    passport_number = models.CharField(max_length=30)
    listing_title = models.CharField(max_length=200)
    institution_name = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    hands_on = models.BooleanField()
    costs = models.CharField(max_length=300)
    paid_by = models.CharField(max_length=200)
    letterhead = models.TextField()
    signatory_name = models.CharField(max_length=150)
    signatory_title = models.CharField(max_length=150)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            # A double click, or two coordinators at once, never puts two letters in force.
            models.UniqueConstraint(
                fields=["application"], condition=Q(revoked_at__isnull=True), name="visa_letter_one_in_force"
            ),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="visa_letter_dates"),
        ]

    def __str__(self) -> str:
        return self.code

    def state(self, today: dt.date | None = None) -> str:
        """Revoked, else expired once the rotation it invites to has ended, else valid."""
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.end_date < (today or timezone.localdate()):
            return self.State.EXPIRED
        return self.State.VALID

    @property
    def state_label(self) -> str:
        return str(self.State(self.state()).label)


class ListingReport(models.Model):
    """Someone signed in says a field of a listing is wrong; an admin resolves it."""

    class Field(models.TextChoices):
        DATES = "dates", _("Dates and deadlines")
        COSTS = "costs", _("Costs and fees")
        VISAS = "visas", _("Visas accepted")
        REQUIREMENTS = "requirements", _("Who may apply (requirements)")
        HANDS_ON = "hands_on", _("Hands-on or observational")
        DESCRIPTION = "description", _("Description")
        CONTACT = "contact", _("Institution or contact details")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CORRECTED = "corrected", _("Corrected")
        DISMISSED = "dismissed", _("Not wrong")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reports")
    field = models.CharField(max_length=20, choices=Field.choices)
    note = models.CharField(max_length=500)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution = models.CharField(max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="listing_report_resolved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["listing", "status", "-resolved_at"])]

    def __str__(self) -> str:
        return f"{self.listing} · {self.get_field_display()}"

    @property
    def field_label(self) -> str:
        return str(self.Field(self.field).label)


class ListingFreshness(models.Model):
    """When a listing's programme last confirmed its details, and when it was last asked to.

    `Listing.last_verified_on` carries the date the page shows and the search ranks by; this row
    keeps the time and who confirmed, and the reminder's claim (one e-mail per 90 days)."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, related_name="freshness")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
