"""The applicant's API: the same eligibility engine and ranking the pages use."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, user_has_role
from placements.models import Session

from ..eligibility import evaluate
from ..ranking import matches_for
from ..services import profile_get_or_create


class IsApplicant(BasePermission):
    message = "This endpoint is for applicants."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, Role.APPLICANT)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fix_section = serializers.CharField()
    fix_document = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    status = serializers.CharField()
    eligible = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    missing = ReasonSerializer(many=True)
    warnings = ReasonSerializer(many=True)


class EligibilityApi(APIView):
    """Can I apply to this session? Every reason, in plain words, judged on the session's start."""

    permission_classes = [IsAuthenticated, IsApplicant]

    @extend_schema(responses=EligibilitySerializer)
    def get(self, request: Request, session_id: int) -> Response:
        session = get_object_or_404(Session.objects.published().active().select_related("listing"), pk=session_id)
        result = evaluate(profile=profile_get_or_create(user=request.user), session=session)
        return Response(EligibilitySerializer(result).data)


class MatchesApi(APIView):
    """The applicant's matches, best first, each with its score and why."""

    permission_classes = [IsAuthenticated, IsApplicant]

    class OutputSerializer(serializers.Serializer):
        session = serializers.IntegerField(source="session.pk")
        listing = serializers.IntegerField(source="listing.pk")
        title = serializers.CharField(source="listing.title")
        institution = serializers.CharField(source="listing.institution.name")
        state = serializers.CharField(source="listing.institution.state")
        start_date = serializers.DateField(source="session.start_date")
        end_date = serializers.DateField(source="session.end_date")
        applications_close_at = serializers.DateTimeField(source="session.applications_close_at")
        total_cost = serializers.DecimalField(source="listing.total_cost", max_digits=10, decimal_places=2)
        score = serializers.IntegerField()
        why = serializers.ListField(child=serializers.CharField())
        warnings = ReasonSerializer(source="result.warnings", many=True)

    class PageSerializer(serializers.Serializer):
        results = serializers.ListField(child=serializers.DictField(), help_text="Matches, best first.")
        incomplete_count = serializers.IntegerField(help_text="Sessions that would match once the applicant adds data or documents.")

    @extend_schema(responses=PageSerializer)
    def get(self, request: Request) -> Response:
        found = matches_for(profile_get_or_create(user=request.user))
        return Response({
            "results": self.OutputSerializer(found.matches, many=True).data,
            "incomplete_count": found.incomplete_count,
        })
