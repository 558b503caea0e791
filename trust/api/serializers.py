from rest_framework import serializers

from placements.api.serializers import ResponsivenessField
from placements.models import Institution

from ..models import ListingReport, VisaLetter


class InstitutionResponsivenessSerializer(serializers.ModelSerializer):
    responsiveness = ResponsivenessField()

    class Meta:
        model = Institution
        fields = ["id", "name", "slug", "city", "state", "responsiveness"]


class ReportCreateSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=ListingReport.Field.choices)
    note = serializers.CharField(max_length=500)


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingReport
        fields = ["id", "listing", "field", "note", "status", "created_at", "resolution", "resolved_at"]


class ResolveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ListingReport.Status.CORRECTED, ListingReport.Status.DISMISSED])
    resolution = serializers.CharField(max_length=500)


class ConfirmedSerializer(serializers.Serializer):
    listing = serializers.IntegerField(source="pk")
    last_verified_on = serializers.DateField()


class VisaLetterIssueSerializer(serializers.Serializer):
    passport_number = serializers.CharField(max_length=30)
    costs = serializers.CharField(max_length=300)
    paid_by = serializers.CharField(max_length=200)


class VisaLetterSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = VisaLetter
        fields = [
            "id",
            "code",
            "application",
            "state",
            "holder_name",
            "passport_number",
            "listing_title",
            "institution_name",
            "start_date",
            "end_date",
            "hands_on",
            "costs",
            "paid_by",
            "signatory_name",
            "signatory_title",
            "issued_at",
            "revoked_at",
            "revoked_reason",
        ]

    def get_state(self, letter: VisaLetter) -> str:
        return letter.state()


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class VerificationSerializer(serializers.ModelSerializer):
    """Only what a consular officer needs: no passport number, no costs."""

    state = serializers.SerializerMethodField()

    class Meta:
        model = VisaLetter
        fields = ["code", "state", "holder_name", "institution_name", "start_date", "end_date"]

    def get_state(self, letter: VisaLetter) -> str:
        return letter.state()
