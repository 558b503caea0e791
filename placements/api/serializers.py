from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Listing, Session


# The eligibility engine's answer (applicants.eligibility), as the listing and session show it.
class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fix_section = serializers.CharField()
    fix_document = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    status = serializers.ChoiceField(choices=["eligible", "not_eligible", "incomplete"])
    eligible = serializers.BooleanField()
    reasons = ReasonSerializer(many=True, help_text="Requirements not met.")
    missing = ReasonSerializer(many=True, help_text="What the portal needs to know before it can judge.")
    warnings = ReasonSerializer(many=True)


class ResponsivenessSerializer(serializers.Serializer):
    """How fast the programme answers, over the last 12 months (see docs/trust.md)."""

    decided_applications = serializers.IntegerField(source="responses_decided")
    median_days_to_decision = serializers.FloatField(source="response_median_days")
    answered_within_14_days_share = serializers.FloatField(source="response_within_14_share", allow_null=True)
    offered_share = serializers.FloatField(source="response_offered_share")
    fill_rate = serializers.FloatField(source="response_fill_rate", allow_null=True)
    updated_at = serializers.DateTimeField(source="responsiveness_updated_at")


@extend_schema_field(ResponsivenessSerializer(allow_null=True))
class ResponsivenessField(serializers.Field):
    """The figures, or null below 5 decided applications ("not enough applications yet")."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return ResponsivenessSerializer(value).data if value.shows_responsiveness else None


class ListingSummarySerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    city = serializers.CharField(source="institution.city")
    state = serializers.CharField(source="institution.state")
    specialty = serializers.CharField(source="specialty.slug")
    accepted_visas = serializers.SerializerMethodField()
    total_cost_usd = serializers.DecimalField(max_digits=10, decimal_places=2)
    next_start = serializers.DateField(allow_null=True)
    next_deadline = serializers.DateTimeField(allow_null=True)
    is_open_now = serializers.BooleanField()
    eligibility = serializers.SerializerMethodField(
        help_text="For a signed-in applicant: the next open session's verdict."
    )
    responsiveness = ResponsivenessField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "kind",
            "institution",
            "city",
            "state",
            "specialty",
            "hands_on_level",
            "duration_weeks",
            "total_cost_usd",
            "lor_offered",
            "requires_ecfmg_certification",
            "accepted_visas",
            "next_start",
            "next_deadline",
            "is_open_now",
            "eligibility",
            "responsiveness",
            "last_verified_on",
        ]

    def get_accepted_visas(self, listing: Listing) -> list[str]:
        return [visa.code for visa in listing.accepted_visas.all()]

    def get_eligibility(self, listing: Listing) -> str | None:
        result = getattr(listing, "eligibility", None)
        return result.status if result is not None else None


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="Parameters ignored because malformed, and why."
    )
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    flags = serializers.DictField(child=FacetValueSerializer())
    results = ListingSummarySerializer(many=True)


class SessionSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField(allow_null=True, required=False)
    is_open = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField(
        help_text="The caller's eligibility (applicants only; null otherwise)."
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "listing",
            "start_date",
            "end_date",
            "seats",
            "seats_left",
            "applications_open_at",
            "applications_close_at",
            "offer_response_days",
            "is_open",
            "eligibility",
        ]

    def get_is_open(self, session: Session) -> bool:
        return session.is_open_for_applications()

    def get_eligibility(self, session: Session) -> EligibilitySerializer(allow_null=True):  # type: ignore[valid-type]
        result = self.context.get("eligibility", {}).get(session.pk)
        return EligibilitySerializer(result).data if result is not None else None


class ListingDetailSerializer(ListingSummarySerializer):
    description = serializers.CharField()
    sessions = SessionSerializer(many=True, source="active_sessions")
    document_requirements = serializers.SerializerMethodField()
    immunisation_requirements = serializers.SerializerMethodField()
    next_start = None
    next_deadline = None
    is_open_now = None
    eligibility = None

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "kind",
            "institution",
            "city",
            "state",
            "specialty",
            "description",
            "hands_on_level",
            "duration_weeks",
            "programme_fee",
            "application_fee",
            "deposit",
            "other_costs",
            "other_costs_note",
            "total_cost_usd",
            "refund_terms",
            "visa_denial_refund",
            "housing_help",
            "lor_offered",
            "certificate_offered",
            "emr_access",
            "accepts_students",
            "accepts_graduates",
            "requires_ecfmg_certification",
            "requires_step1_pass",
            "min_step2_score",
            "max_years_since_graduation",
            "accepted_visas",
            "english_test",
            "min_letters",
            "max_letters",
            "document_requirements",
            "immunisation_requirements",
            "status",
            "last_verified_on",
            "responsiveness",
            "sessions",
        ]

    def get_document_requirements(self, listing: Listing) -> list[str]:
        return [r.kind for r in listing.document_requirements.all()]

    def get_immunisation_requirements(self, listing: Listing) -> list[str]:
        return [r.immunisation for r in listing.immunisation_requirements.all()]
