"""Trust over the API: the same selectors and services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Role, user_has_role
from api.permissions import IsCoordinator
from api.views_base import ApiView, ListApiView
from placements.models import Institution, Listing

from .. import selectors, services
from ..models import ListingReport, VisaLetter
from .serializers import (
    ConfirmedSerializer,
    InstitutionResponsivenessSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ResolveSerializer,
    RevokeSerializer,
    VerificationSerializer,
    VisaLetterIssueSerializer,
    VisaLetterSerializer,
)

COORDINATOR = [IsAuthenticated, IsCoordinator]


class IsAdmin(BasePermission):
    message = "This endpoint is for admins."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, Role.ADMIN)


class InstitutionResponsivenessApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="trust_institution_responsiveness", responses=InstitutionResponsivenessSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """How fast an institution answers, over all its listings (null below 5 decided applications)."""
        return Response(InstitutionResponsivenessSerializer(get_object_or_404(Institution, pk=pk)).data)


class ListingReportApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="trust_report_create", request=ReportCreateSerializer, responses={201: ReportSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Report a field of a published listing as wrong; its coordinators are told."""
        listing = get_object_or_404(Listing.objects.published(), pk=pk)
        body = ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.listing_report_create(listing=listing, reporter=request.user, **body.validated_data)
        return Response(ReportSerializer(report).data, status=201)


class ReportQueueApi(ListApiView):
    permission_classes = [IsAuthenticated, IsAdmin]

    @extend_schema(operation_id="trust_reports_open", responses=ReportSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Open reports, newest first (admins)."""
        return self.paginated(request, selectors.open_reports(), ReportSerializer)


class ReportResolveApi(ApiView):
    permission_classes = [IsAuthenticated, IsAdmin]

    @extend_schema(operation_id="trust_report_resolve", request=ResolveSerializer, responses=ReportSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Record the outcome of a report (409 if already resolved)."""
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        get_object_or_404(ListingReport, pk=pk)
        report = services.listing_report_resolve(report_id=pk, actor=request.user, **body.validated_data)
        return Response(ReportSerializer(report).data)


class ListingConfirmApi(ApiView):
    permission_classes = COORDINATOR

    @extend_schema(operation_id="trust_listing_confirm", request=None, responses=ConfirmedSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Confirm a listing of the caller's institution is current."""
        listing = services.listing_confirm(listing=selectors.coordinator_listing(request.user, pk), actor=request.user)
        return Response(ConfirmedSerializer(listing).data)


class VisaLetterListApi(ApiView):
    permission_classes = COORDINATOR

    @extend_schema(operation_id="trust_visa_letters_list", responses=VisaLetterSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """An application's visa letters, the newest first."""
        application = selectors.coordinator_application(request.user, pk)
        return Response(VisaLetterSerializer(selectors.application_letters(application), many=True).data)

    @extend_schema(
        operation_id="trust_visa_letter_issue",
        request=VisaLetterIssueSerializer,
        # 200: a letter was already in force (a double click); it is returned unchanged.
        responses={201: VisaLetterSerializer, 200: VisaLetterSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Issue the letter of an accepted application (200 with the letter in force if there is one)."""
        application = selectors.coordinator_application(request.user, pk)
        body = VisaLetterIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        existed = VisaLetter.objects.filter(application=application, revoked_at__isnull=True).exists()
        letter = services.visa_letter_issue(application_id=application.pk, actor=request.user, **body.validated_data)
        return Response(VisaLetterSerializer(letter).data, status=200 if existed else 201)


class VisaLetterRevokeApi(ApiView):
    permission_classes = COORDINATOR

    @extend_schema(operation_id="trust_visa_letter_revoke", request=RevokeSerializer, responses=VisaLetterSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Revoke a letter; its verification answers "revoked" from now on."""
        letter = get_object_or_404(
            VisaLetter,
            pk=pk,
            application__session__listing__institution_id__in=request.user.coordinator_institution_ids,
        )
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        letter = services.visa_letter_revoke(
            letter_id=letter.pk, actor=request.user, reason=body.validated_data.get("reason", "")
        )
        return Response(VisaLetterSerializer(letter).data)


class VisaLetterVerifyApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="trust_visa_letter_verify", responses=VerificationSerializer)
    def get(self, request: Request, code: str) -> Response:
        """Public: whether a letter stands (valid, revoked or expired), its holder, dates and institution."""
        letter = get_object_or_404(VisaLetter, code=code.strip().upper())
        return Response(VerificationSerializer(letter).data)
