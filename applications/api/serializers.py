from rest_framework import serializers

from ..models import Application, ApplicationEvent
from ..states import IN_QUEUE, Status


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["from_status", "to_status", "actor_role", "message", "created_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    listing = serializers.IntegerField(source="session.listing_id")
    listing_title = serializers.CharField(source="session.listing.title")
    institution = serializers.CharField(source="session.listing.institution.name")

    class Meta:
        model = Application
        fields = [
            "id",
            "session",
            "listing",
            "listing_title",
            "institution",
            "status",
            "personal_statement",
            "waitlist_position",
            "offer_expires_at",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    events = EventSerializer(many=True, source="public_events")

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "events"]


class ApplicationCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The session to apply to.")


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class QueueItemSerializer(serializers.ModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name")
    applicant_email = serializers.EmailField(source="applicant.email")
    listing = serializers.IntegerField(source="session.listing_id")
    listing_title = serializers.CharField(source="session.listing.title")
    avg_score = serializers.FloatField(allow_null=True)
    step2 = serializers.IntegerField(allow_null=True)
    graduation_year = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "session",
            "listing",
            "listing_title",
            "applicant_name",
            "applicant_email",
            "status",
            "eligible_at_submit",
            "submitted_at",
            "waitlist_position",
            "avg_score",
            "step2",
            "graduation_year",
        ]


class PacketSerializer(QueueItemSerializer):
    events = EventSerializer(many=True)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(choices=Status.choices))

    class Meta(QueueItemSerializer.Meta):
        fields = [
            "id",
            "session",
            "listing",
            "listing_title",
            "applicant_name",
            "applicant_email",
            "status",
            "eligible_at_submit",
            "eligibility_reasons",
            "personal_statement",
            "submitted_at",
            "waitlist_position",
            "offer_expires_at",
            "events",
            "allowed_moves",
        ]


class MoveSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=[(s, Status(s).label) for s in Status.values if s in IN_QUEUE])
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class _CountBarSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class _PercentBarSerializer(serializers.Serializer):
    label = serializers.CharField()
    percent = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    """The programme dashboard's figures over the last 12 months (applications.statistics)."""

    since = serializers.DateField()
    funnel = _CountBarSerializer(many=True, help_text="Received, decided, offered, accepted.")
    days_to_decision = _CountBarSerializer(many=True, help_text="Decisions by days from submission.")
    fill_rate_by_month = _PercentBarSerializer(many=True, help_text="Places taken, by the month sessions started.")
