from django.urls import reverse
from rest_framework import serializers

from ..models import ApplicantProfile, Document, DocumentVersion


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


class ProfileSerializer(serializers.ModelSerializer):
    specialties_of_interest = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    preferred_states = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ApplicantProfile
        exclude = ["id", "user"]


class DocumentVersionSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text="The checked download (session or token auth).")
    page_download_url = serializers.SerializerMethodField(
        help_text="The same file from the documents page (browser session)."
    )

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "original_name",
            "content_type",
            "size",
            "issued_on",
            "expires_on",
            "uploaded_at",
            "download_url",
            "page_download_url",
        ]

    def get_download_url(self, version: DocumentVersion) -> str:
        return reverse("applicants_api:document_download", args=[version.pk])

    def get_page_download_url(self, version: DocumentVersion) -> str:
        return reverse("applicants:document_download", args=[version.pk])


class DocumentSerializer(serializers.ModelSerializer):
    current_version = DocumentVersionSerializer(allow_null=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "created_at", "current_version"]
