"""Applications API: the pages' selectors for access and `application_move` for every state change."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsApplicant, IsCoordinator
from api.views_base import ApiView, ListApiView
from placements.models import Session

from .. import selectors, services
from ..forms import QueueFilterForm
from ..states import Actor, Status, targets_for
from ..statistics import dashboard_figures
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    DashboardSerializer,
    MessageSerializer,
    MoveSerializer,
    PacketSerializer,
    QueueItemSerializer,
)

APPLICANT = [IsAuthenticated, IsApplicant]
COORDINATOR = [IsAuthenticated, IsCoordinator]


class ApplicationListApi(ListApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="applications_list", responses=ApplicationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The caller's applications, most recently changed first."""
        return self.paginated(request, selectors.applicant_applications(request.user), ApplicationSerializer)

    @extend_schema(
        operation_id="applications_create",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer, 200: ApplicationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        """Start a draft for a session (200 with the existing one if the caller already applied)."""
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = get_object_or_404(
            Session.objects.published().select_related("listing__institution"), pk=data.validated_data["session"]
        )
        existed = session.applications.filter(applicant=request.user).exists()
        application = services.application_start(applicant=request.user, session=session)
        detail = selectors.applicant_application(request.user, application.pk)
        return Response(ApplicationDetailSerializer(detail).data, status=200 if existed else 201)


class ApplicationDetailApi(ApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="applications_retrieve", responses=ApplicationDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ApplicationDetailSerializer(selectors.applicant_application(request.user, pk)).data)


class _ApplicantMoveApi(ApiView):
    """Base: one applicant move through `application_move`; the same move twice is not an error."""

    permission_classes = APPLICANT
    to_status: str = ""

    def post(self, request: Request, pk: int) -> Response:
        selectors.applicant_application(request.user, pk)  # 404 for another applicant's
        body = MessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_move(
            application_id=pk,
            to_status=self.to_status,
            actor=request.user,
            role=Actor.APPLICANT,
            message=body.validated_data["message"],
        )
        return Response(ApplicationDetailSerializer(selectors.applicant_application(request.user, pk)).data)


def _move_view(name: str, status: str, summary: str) -> type[_ApplicantMoveApi]:
    @extend_schema(
        operation_id=f"applications_{status}",
        request=MessageSerializer,
        responses=ApplicationDetailSerializer,
        description=summary,
    )
    def post(self, request: Request, pk: int) -> Response:
        return _ApplicantMoveApi.post(self, request, pk)

    return type(name, (_ApplicantMoveApi,), {"to_status": status, "__doc__": summary, "post": post})


ApplicationSubmitApi = _move_view(
    "ApplicationSubmitApi",
    Status.SUBMITTED,
    "Submit a draft. 409 with `reasons` if something is missing or the window closed.",
)
ApplicationWithdrawApi = _move_view("ApplicationWithdrawApi", Status.WITHDRAWN, "Withdraw the application.")
ApplicationAcceptApi = _move_view("ApplicationAcceptApi", Status.ACCEPTED, "Accept an offer.")
ApplicationDeclineApi = _move_view("ApplicationDeclineApi", Status.DECLINED, "Decline an offer.")


def _queue_parameters() -> list[OpenApiParameter]:
    form = QueueFilterForm()
    types = {
        "listing": OpenApiTypes.INT,
        "session": OpenApiTypes.INT,
        "step2_min": OpenApiTypes.INT,
        "step2_max": OpenApiTypes.INT,
        "graduation_year": OpenApiTypes.INT,
    }
    params = []
    for name, field in form.fields.items():
        choices = (
            [str(c[0]) for c in getattr(field, "choices", []) if c[0] != ""]
            if name not in ("listing", "session")
            else []
        )
        params.append(
            OpenApiParameter(
                name, types.get(name, OpenApiTypes.STR), description=str(field.label or name), enum=choices or None
            )
        )
    params.append(OpenApiParameter("page", OpenApiTypes.INT, description="Page number."))
    params.append(OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 100."))
    return params


class QueueApi(ListApiView):
    """The coordinator's applications queue for their institutions, with the queue page's filters."""

    permission_classes = COORDINATOR

    @extend_schema(operation_id="queue_list", parameters=_queue_parameters(), responses=QueueItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        form = QueueFilterForm(request.query_params, **selectors.queue_filter_choices(request.user))
        if not form.is_valid():
            raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        response = self.paginated(request, selectors.QueuePages(request.user, form.cleaned_data), QueueItemSerializer)
        services.application_list_record(
            actor=request.user,
            rows=len(response.data["results"]),
            filters=request.query_params.urlencode(),
            exported=False,
        )
        return response


def _packet(user, pk: int):
    application = selectors.coordinator_application(user, pk)
    application.allowed_moves = targets_for(application.status, Actor.COORDINATOR)
    return application


class QueueItemApi(ApiView):
    permission_classes = COORDINATOR

    @extend_schema(operation_id="queue_retrieve", responses=PacketSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One application to the coordinator's institution, with its history and the moves allowed now."""
        application = _packet(request.user, pk)
        services.application_read_record(reader=request.user, application=application, what="api")
        return Response(PacketSerializer(application).data)


class QueueMoveApi(ApiView):
    permission_classes = COORDINATOR

    @extend_schema(operation_id="queue_move", request=MoveSerializer, responses=PacketSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Move an application (e.g. to interview, offered, rejected). 409 if the move is not allowed now."""
        selectors.coordinator_application(request.user, pk)  # 404 for another institution's
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_move(
            application_id=pk,
            to_status=body.validated_data["to_status"],
            actor=request.user,
            role=Actor.COORDINATOR,
            message=body.validated_data["message"],
        )
        return Response(PacketSerializer(_packet(request.user, pk)).data)


class DashboardApi(ApiView):
    permission_classes = COORDINATOR

    @extend_schema(operation_id="dashboard_retrieve", responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        """The coordinator's institutions over the last 12 months: funnel, days to decision, fill rate by month."""
        figures = dashboard_figures(institution_ids=request.user.coordinator_institution_ids)
        return Response(DashboardSerializer(figures.as_dict()).data)
