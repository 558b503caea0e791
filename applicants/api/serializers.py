from django.urls import reverse
from rest_framework import serializers

from ..models import ApplicantProfile, Document, DocumentVersion


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
