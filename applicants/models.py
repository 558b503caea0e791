"""What an applicant tells the portal about themselves, and the files they keep here."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.choices import DocumentKind, EnglishTest, Immunisation, VisaStatus

from .choices import EcfmgStatus, ExamResult, HandsOnPreference, TrainingStage
from .querysets import DocumentQuerySet, DocumentVersionQuerySet

usmle_id_validator = RegexValidator(
    r"^\d{8}$", _("A USMLE/ECFMG identification number is exactly 8 digits, e.g. 12345678.")
)


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class ApplicantProfile(models.Model):
    """One per applicant. Every field may be blank: eligibility says what is missing, by name."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_profile")

    # About you
    citizenship_country = models.CharField(_("country of citizenship"), max_length=80, blank=True)
    residence_country = models.CharField(_("country of residence"), max_length=80, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    # Medical school
    training_stage = models.CharField(
        _("student or graduate"), max_length=10, choices=TrainingStage.choices, blank=True
    )
    medical_school = models.CharField(max_length=200, blank=True)
    medical_school_country = models.CharField(max_length=80, blank=True)
    graduation_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text=_("Expected year if you are still a student."),
    )

    # Exams
    ecfmg_status = models.CharField(_("ECFMG certification"), max_length=12, choices=EcfmgStatus.choices, blank=True)
    usmle_id = models.CharField(
        _("USMLE/ECFMG identification number"),
        max_length=8,
        blank=True,
        validators=[usmle_id_validator],
        help_text=_("8 digits, on your ECFMG and USMLE correspondence."),
    )
    step1_result = models.CharField(_("USMLE Step 1"), max_length=4, choices=ExamResult.choices, blank=True)
    step1_date = models.DateField(_("Step 1 date"), null=True, blank=True)
    step2ck_score = models.PositiveSmallIntegerField(
        _("USMLE Step 2 CK score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    step2ck_date = models.DateField(_("Step 2 CK date"), null=True, blank=True)
    step3_result = models.CharField(_("USMLE Step 3"), max_length=4, choices=ExamResult.choices, blank=True)
    step3_date = models.DateField(_("Step 3 date"), null=True, blank=True)
    english_test = models.CharField(
        _("English test passed"),
        max_length=10,
        choices=EnglishTest.choices,
        blank=True,
        help_text=_("OET is the test ECFMG accepts."),
    )
    english_test_date = models.DateField(_("English test date"), null=True, blank=True)

    # Visa
    current_visa = models.CharField(_("current visa status"), max_length=8, choices=VisaStatus.choices, blank=True)
    planned_visa = models.CharField(
        _("visa for the placement"),
        max_length=8,
        choices=VisaStatus.choices,
        blank=True,
        help_text=_("The status you will hold while on the placement."),
    )

    # Preferences (used to rank matches, never to refuse)
    specialties_of_interest = models.ManyToManyField("placements.Specialty", blank=True, related_name="+")
    preferred_states = models.JSONField(default=list, blank=True)
    budget_usd = models.DecimalField(
        _("budget (US dollars)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The most you can spend on programme and fees."),
    )
    available_from = models.DateField(null=True, blank=True)
    available_until = models.DateField(null=True, blank=True)
    hands_on_preference = models.CharField(max_length=14, choices=HandsOnPreference.choices, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(step2ck_score__isnull=True) | Q(step2ck_score__gte=1, step2ck_score__lte=300),
                name="profile_step2ck_score_range",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="profile_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


def _document_upload_to(instance: DocumentVersion, filename: str) -> str:
    # The name is chosen by applicants.uploads (random); the folder keeps applicants' files apart
    # from other apps' in the private storage.
    return f"applicants/{filename}"


class Document(models.Model):
    """A typed document an applicant keeps. Its file and dates live in versions; the newest counts."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    current_version = models.OneToOneField(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at"]
        indexes = [models.Index(fields=["owner", "kind"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class DocumentVersion(models.Model):
    """One uploaded file of a document. Replacing a document adds a version; none is overwritten."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=_document_upload_to, max_length=200)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="docversion_unique_number"),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
                name="docversion_expiry_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class ImmunisationRecordEntry(models.Model):
    """A vaccine or test, with its date, that an immunisation record version proves."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="immunisations")
    immunisation = models.CharField(max_length=20, choices=Immunisation.choices)
    date = models.DateField(help_text=_("The date of the last dose, or of the test."))

    class Meta:
        ordering = ["immunisation"]
        constraints = [
            models.UniqueConstraint(fields=["version", "immunisation"], name="immentry_unique_version_immunisation")
        ]

    def __str__(self) -> str:
        return f"{self.get_immunisation_display()} on {self.date:%d %b %Y}"


class SavedListing(models.Model):
    """A listing an applicant bookmarked to come back to or compare."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_listings")
    listing = models.ForeignKey("placements.Listing", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="saved_unique_user_listing")]

    def __str__(self) -> str:
        return f"{self.user} saved {self.listing_id}"
