"""Institutions and the USCE placements they offer: listings and their dated sessions."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .choices import DocumentKind, EnglishTest, Immunisation, USState, VisaStatus
from .querysets import InstitutionQuerySet, ListingQuerySet, SessionQuerySet

US_TIME_ZONES = [
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Mountain (Arizona)"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
]


# Below this many decided applications in the window, no responsiveness figure is shown or stored.
RESPONSIVENESS_MIN_DECIDED = 5
RESPONSIVENESS_COLUMNS = [
    "responses_decided",
    "response_median_days",
    "response_within_14_share",
    "response_offered_share",
    "response_fill_rate",
    "responsiveness_updated_at",
]


class Responsiveness(models.Model):
    """How fast and how often a programme answers, from the portal's own application records.

    Written only by the trust app's periodic refresh (trust.responsiveness), so the search sorts and
    filters on the row itself. The shares are None, like the median, below RESPONSIVENESS_MIN_DECIDED.
    """

    # None until the refresh first finds an application (NULL also lets bulk loads leave it out).
    responses_decided = models.PositiveIntegerField(null=True, blank=True, editable=False)
    response_median_days = models.FloatField(null=True, blank=True, editable=False)
    response_within_14_share = models.FloatField(null=True, blank=True, editable=False)
    response_offered_share = models.FloatField(null=True, blank=True, editable=False)
    response_fill_rate = models.FloatField(null=True, blank=True, editable=False)
    responsiveness_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def shows_responsiveness(self) -> bool:
        return (self.responses_decided or 0) >= RESPONSIVENESS_MIN_DECIDED and self.response_median_days is not None


class Institution(Responsiveness):
    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("Academic medical centre")
        TEACHING = "teaching", _("Teaching hospital")
        COMMUNITY = "community", _("Community hospital")
        PRIVATE_PRACTICE = "private_practice", _("Private practice")
        CLINIC = "clinic", _("Clinic")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=USState.choices, db_index=True)
    time_zone = models.CharField(max_length=40, choices=US_TIME_ZONES, default="America/New_York")
    website = models.URLField(blank=True)
    verified = models.BooleanField(
        default=False, help_text=_("Verified institutions publish listings without admin review.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.state})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(f"{self.name}-{self.city}-{self.state}")[:220]
        super().save(*args, **kwargs)


class InstitutionMembership(models.Model):
    """Makes a user a coordinator of an institution. Added by an admin or a fellow coordinator."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="membership_unique_user_institution")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


class Specialty(models.Model):
    """ACGME specialties and common subspecialties (seeded by a data migration)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="subspecialties")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of one choice, as `get_FOO_display()` gives it. That method makes every choice of the
    field hashable on each call, translating each label; a search page calls it over a hundred times."""
    try:
        return str(choices(value).label)
    except ValueError:  # a value no longer among the choices is shown as stored, as get_FOO_display does
        return value


class Visa(models.Model):
    """One row per VisaStatus, so listings can accept several and the database can filter on it."""

    code = models.CharField(max_length=8, primary_key=True, choices=VisaStatus.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return choice_label(VisaStatus, self.code)


# The columns the eligibility filter reads (applicants.eligibility), carried by the covering indexes.
ELIGIBILITY_COLUMNS = [
    "accepts_students",
    "accepts_graduates",
    "requires_ecfmg_certification",
    "requires_step1_pass",
    "min_step2_score",
    "english_test",
    "max_years_since_graduation",
    "accepted_visa_codes",
]

SAVED_ELSEWHERE = frozenset({"accepted_visa_codes", *RESPONSIVENESS_COLUMNS})


class Listing(Responsiveness):
    class Kind(models.TextChoices):
        ROTATION = "rotation", _("Clinical rotation / elective")
        OBSERVERSHIP = "observership", _("Observership")
        EXTERNSHIP = "externship", _("Externship")
        FELLOWSHIP = "fellowship", _("Clinical or research fellowship")

    class HandsOn(models.TextChoices):
        OBSERVATIONAL = "observational", _("Observational")
        HANDS_ON = "hands_on", _("Hands-on")
        MIXED = "mixed", _("Mixed")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Pending review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="listings")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(max_length=200)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="listings")
    description = models.TextField()
    hands_on_level = models.CharField(max_length=20, choices=HandsOn.choices)
    duration_weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(104)])

    # Cost, laid out so that listings compare. All amounts in US dollars.
    programme_fee = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    application_fee = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    deposit = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    other_costs = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    other_costs_note = models.CharField(max_length=200, blank=True)
    refund_terms = models.TextField(blank=True)
    visa_denial_refund = models.BooleanField(default=False)

    # What is included.
    housing_help = models.BooleanField(default=False)
    lor_offered = models.BooleanField(_("letter of recommendation offered"), default=False)
    certificate_offered = models.BooleanField(default=False)
    emr_access = models.BooleanField(_("EMR access"), default=False)

    # Who may apply.
    accepts_students = models.BooleanField(default=True)
    accepts_graduates = models.BooleanField(default=True)
    requires_ecfmg_certification = models.BooleanField(default=False)
    requires_step1_pass = models.BooleanField(default=False)
    min_step2_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    max_years_since_graduation = models.PositiveSmallIntegerField(null=True, blank=True)
    accepted_visas = models.ManyToManyField(Visa, related_name="listings")
    # The same visas as text (",b1b2,j1,"), kept by placements.accepted_visas, so the eligibility
    # filter tests them on the listing's own row instead of probing the m2m table per listing.
    accepted_visa_codes = models.CharField(max_length=64, blank=True, default="", editable=False)
    english_test = models.CharField(max_length=10, choices=EnglishTest.choices, blank=True)
    min_letters = models.PositiveSmallIntegerField(default=0)
    max_letters = models.PositiveSmallIntegerField(default=3)

    # Provenance.
    source = models.CharField(max_length=300, blank=True, help_text=_("Where this information comes from."))
    last_verified_on = models.DateField(null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    duplicated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    # Full-text search document. On PostgreSQL its only writer is the trigger
    # `placements_listing_search_vector`, from the title, specialty, institution and description on
    # every insert and update, bulk inserts included; a GIN index serves it. On SQLite it stays empty
    # and the search falls back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)

    # The next application deadline and next start date of the listing's live sessions, stored for
    # the search's "deadline soonest" and "start date soonest" sorts: computed per listing at query
    # time they cost a pass over every session of the catalogue. Written by `placements.listing_dates`
    # only (its rule runs in a PostgreSQL trigger on sessions) and, since they move with time,
    # refreshed every minute once they have passed (`placements.refresh_listing_dates`).
    # Pages show the values computed fresh (`with_session_summary`); these only order and filter.
    stored_next_deadline = models.DateTimeField(null=True, blank=True, editable=False)
    stored_next_start = models.DateField(null=True, blank=True, editable=False)
    # The earliest opening of the same sessions as `stored_next_deadline` (live, closing after the
    # time both were computed): while that deadline is still ahead, the listing is open for
    # applications now exactly when this has passed (the search's "open now", placements.search).
    stored_opens_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(programme_fee__gte=0)
                & Q(application_fee__gte=0)
                & Q(deposit__gte=0)
                & Q(other_costs__gte=0),
                name="listing_fees_not_negative",
            ),
            models.CheckConstraint(condition=Q(max_letters__gte=F("min_letters")), name="listing_letters_min_le_max"),
            models.CheckConstraint(condition=Q(duration_weeks__gte=1), name="listing_duration_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["status", "specialty"]),
            # The search's facet counts and its "only where I am eligible" rules read these columns of
            # every published listing: from this narrow index they are an index-only scan, not a pass
            # over the wide table (bench/RESULTS.md has the figures). The stored
            # next start answers the graduation-year rule on the row (applicants.eligibility), the stored
            # next deadline and opening the "open now" flag (placements.search).
            models.Index(
                fields=[
                    "kind",
                    "hands_on_level",
                    "duration_weeks",
                    "specialty",
                    "institution",
                    "requires_ecfmg_certification",
                    "lor_offered",
                ],
                include=[
                    "id",
                    "accepts_students",
                    "accepts_graduates",
                    "requires_step1_pass",
                    "min_step2_score",
                    "english_test",
                    "max_years_since_graduation",
                    "accepted_visa_codes",
                    "stored_next_start",
                    "stored_next_deadline",
                    "stored_opens_at",
                    # trust's "answers within 2 weeks" flag, counted beside the others (#21).
                    "response_median_days",
                ],
                condition=Q(status="published"),
                name="listing_published_facets",
            ),
            # listing_published_newest (the default order's index) is PostgreSQL-only, made by RunSQL.
            # The deadline and start sorts read their first page here (ASC is NULLS LAST already).
            models.Index(
                fields=["stored_next_deadline", "-id"],
                condition=Q(status="published"),
                name="listing_published_deadline",
            ),
            models.Index(
                fields=["stored_next_start", "-id"], condition=Q(status="published"), name="listing_published_start"
            ),
            # The "answers fastest" sort (trust): listings without a figure (NULL) come last.
            models.Index(
                fields=["response_median_days", "-id"],
                condition=Q(status="published"),
                name="listing_published_response",
            ),
            # The cost sort: the same expression as with_total_cost(), in the order the sort reads it.
            models.Index(
                F("programme_fee") + F("application_fee") + F("deposit") + F("other_costs"),
                F("id").desc(),
                condition=Q(status="published"),
                name="listing_published_cost",
            ),
            # "Matches for you" reads the listings of a few specialties, then of a few states'
            # institutions, with the eligibility rules: index-only from these (applicants.ranking).
            models.Index(
                fields=["specialty"],
                include=["id", "institution", *ELIGIBILITY_COLUMNS],
                condition=Q(status="published"),
                name="listing_pub_specialty_rules",
            ),
            models.Index(
                fields=["institution"],
                include=["id", "specialty", *ELIGIBILITY_COLUMNS],
                condition=Q(status="published"),
                name="listing_pub_institution_rules",
            ),
        ]

    @property
    def kind_label(self) -> str:
        return choice_label(Listing.Kind, self.kind)

    @property
    def hands_on_label(self) -> str:
        return choice_label(Listing.HandsOn, self.hands_on_level)

    def __str__(self) -> str:
        return self.title

    @property
    def total_cost(self) -> Decimal:
        return self.programme_fee + self.application_fee + self.deposit + self.other_costs


class ListingEvent(models.Model):
    """One status change of a listing: who moved it, from what, to what (the audit trail)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=20, choices=Listing.Status.choices)
    new_status = models.CharField(max_length=20, choices=Listing.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.old_status} -> {self.new_status}"


class DocumentRequirement(models.Model):
    """A document a listing requires, optionally valid within N days of the session's start."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="document_requirements")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    valid_within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("e.g. a background check issued within 365 days of the start.")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "kind"], name="docreq_unique_listing_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ImmunisationRequirement(models.Model):
    """A vaccine or test a listing requires, optionally within N days of the start (TB: 90 or 365)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="immunisation_requirements")
    immunisation = models.CharField(max_length=20, choices=Immunisation.choices)
    valid_within_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "immunisation"], name="immreq_unique_listing_immunisation")
        ]

    def __str__(self) -> str:
        return self.get_immunisation_display()


class Session(models.Model):
    """A listing's dated cohort, with its seats and application window."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="sessions")
    start_date = models.DateField(db_index=True)
    end_date = models.DateField()
    seats = models.PositiveSmallIntegerField()
    applications_open_at = models.DateTimeField()
    applications_close_at = models.DateTimeField(db_index=True)
    offer_response_days = models.PositiveSmallIntegerField(default=7)
    # Archived rather than deleted: applications keep pointing at the cohort they applied to.
    is_archived = models.BooleanField(default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="session_end_not_before_start"),
            models.CheckConstraint(condition=Q(seats__gte=0), name="session_seats_not_negative"),
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=F("applications_open_at")),
                name="session_window_opens_before_close",
            ),
            # The window must close before the session starts (midnight UTC of the start date).
            models.CheckConstraint(
                condition=Q(applications_close_at__lt=Cast("start_date", models.DateTimeField())),
                name="session_window_closes_before_start",
            ),
        ]
        # A listing's next start and next deadline (search results, listing page) read these.
        indexes = [
            models.Index(fields=["listing", "start_date"], name="session_listing_start"),
            models.Index(fields=["listing", "applications_close_at"], name="session_listing_close"),
            # The eligibility filter's graduation-year rule asks, per listing, for an upcoming session
            # not archived: from this index that is an index-only probe, not a visit to the table.
            models.Index(
                fields=["listing", "start_date"], condition=Q(is_archived=False), name="session_listing_upcoming"
            ),
            # A listing's live sessions with what "Matches for you" filters and orders them by: an
            # index-only probe per candidate listing (applicants.ranking).
            models.Index(
                fields=["listing"],
                include=["id", "start_date", "applications_close_at"],
                condition=Q(is_archived=False),
                name="session_live_by_listing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} · {self.start_date:%d %b %Y}"

    def is_open_for_applications(self, at=None) -> bool:
        at = at or timezone.now()
        return not self.is_archived and self.applications_open_at <= at < self.applications_close_at
