"""The applicant's API: the same services, selectors, eligibility engine and ranking the pages use."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsApplicant
from api.views_base import ApiView, ListApiView
from placements.api.serializers import EligibilitySerializer, ReasonSerializer
from placements.models import Listing, Session

from ..eligibility import evaluate
from ..models import Document, DocumentVersion
from ..ranking import matches_for
from ..selectors import saved_listings
from ..services import profile_get_or_create, saved_listing_add, saved_listing_remove
from ..uploads import attachment_response
from .serializers import DocumentSerializer, ProfileSerializer

APPLICANT = [IsAuthenticated, IsApplicant]


class EligibilityApi(ApiView):
    """Can I apply to this session? Every reason, in plain words, judged on the session's start."""

    permission_classes = APPLICANT

    @extend_schema(responses=EligibilitySerializer)
    def get(self, request: Request, session_id: int) -> Response:
        session = get_object_or_404(Session.objects.published().active().select_related("listing"), pk=session_id)
        result = evaluate(profile=profile_get_or_create(user=request.user), session=session)
        return Response(EligibilitySerializer(result).data)


class MatchSerializer(serializers.Serializer):
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


class MatchesApi(ListApiView):
    """The applicant's matches, best first, each with its score and why."""

    permission_classes = APPLICANT

    @extend_schema(responses=MatchSerializer(many=True))
    def get(self, request: Request) -> Response:
        found = matches_for(profile_get_or_create(user=request.user))
        return self.paginated(request, found.matches, MatchSerializer)


class ProfileApi(ApiView):
    """The caller's applicant profile (edit it on the profile page)."""

    permission_classes = APPLICANT

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(profile_get_or_create(user=request.user)).data)


def _documents(user):
    return Document.objects.owned_by(user).select_related("current_version").order_by("kind", "pk")


class DocumentListApi(ListApiView):
    """The caller's documents: metadata only; files download through the checked page URL."""

    permission_classes = APPLICANT

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(request, _documents(request.user), DocumentSerializer)


class DocumentDetailApi(ApiView):
    permission_classes = APPLICANT

    @extend_schema(responses=DocumentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DocumentSerializer(get_object_or_404(_documents(request.user), pk=pk)).data)


class DocumentDownloadApi(ApiView):
    """Download one version of the caller's document: the page's check and the page's file response."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, version_id: int) -> HttpResponse:
        version = get_object_or_404(DocumentVersion.objects.visible_to(request.user), pk=version_id)
        return attachment_response(version.file, filename=version.original_name, content_type=version.content_type)


class SavedListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    institution = serializers.CharField(source="institution.name")
    state = serializers.CharField(source="institution.state")
    specialty = serializers.CharField(source="specialty.slug")


class SavedListApi(ListApiView):
    """Listings the caller saved that are still published, newest first."""

    permission_classes = APPLICANT

    @extend_schema(responses=SavedListingSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(request, saved_listings(request.user), SavedListingSerializer)


class SavedItemApi(ApiView):
    """Save (PUT, idempotent) or unsave (DELETE) a published listing."""

    permission_classes = APPLICANT

    @extend_schema(request=None, responses={200: SavedListingSerializer})
    def put(self, request: Request, listing_id: int) -> Response:
        listing = get_object_or_404(
            Listing.objects.published().select_related("institution", "specialty"), pk=listing_id
        )
        saved_listing_add(user=request.user, listing=listing)
        return Response(SavedListingSerializer(listing).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Not saved (any more).")})
    def delete(self, request: Request, listing_id: int) -> Response:
        listing = get_object_or_404(Listing.objects.published(), pk=listing_id)
        saved_listing_remove(user=request.user, listing=listing)
        return Response(status=204)
