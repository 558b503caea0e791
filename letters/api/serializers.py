from rest_framework import serializers

from ..models import LetterRequest


class LetterRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterRequest
        fields = [
            "id",
            "writer_name",
            "writer_email",
            "writer_title",
            "writer_institution",
            "relationship",
            "waived",
            "message",
            "rotation",
            "status",
            "created_at",
            "expires_at",
        ]


class LetterRequestCreateSerializer(serializers.Serializer):
    """Documents the body; the letters page's form validates it, so both refuse the same input."""

    writer_name = serializers.CharField(max_length=150)
    writer_email = serializers.EmailField()
    writer_title = serializers.CharField(max_length=150)
    writer_institution = serializers.CharField(max_length=200)
    relationship = serializers.CharField(max_length=300)
    waived = serializers.BooleanField(
        help_text="Whether you waive your right to read the letter (cannot change later)."
    )
    message = serializers.CharField(required=False, allow_blank=True, default="")
    rotation = serializers.IntegerField(
        required=False, allow_null=True, help_text="A completed application of yours the letter is about."
    )
