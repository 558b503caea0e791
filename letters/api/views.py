"""Letter requests over the API: the letters page's form, selectors and services."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsApplicant
from api.views_base import ApiView, ListApiView

from ..forms import LetterRequestForm
from ..models import LetterRequest
from ..services import letter_request_create, letter_request_resend, letter_request_revoke
from .serializers import LetterRequestCreateSerializer, LetterRequestSerializer

APPLICANT = [IsAuthenticated, IsApplicant]


def _own(user, pk: int) -> LetterRequest:
    return get_object_or_404(LetterRequest.objects.of_applicant(user), pk=pk)


class LetterRequestListApi(ListApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="letters_list", responses=LetterRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The caller's letter requests, newest first."""
        requests = LetterRequest.objects.of_applicant(request.user).order_by("-created_at", "-pk")
        return self.paginated(request, requests, LetterRequestSerializer)

    @extend_schema(
        operation_id="letters_create", request=LetterRequestCreateSerializer, responses={201: LetterRequestSerializer}
    )
    def post(self, request: Request) -> Response:
        """Ask a writer for a letter; they get an e-mail with a personal link. 409 if already asked."""
        body = LetterRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {**body.validated_data, "waiver": "yes" if body.validated_data["waived"] else "no"}
        data["rotation"] = data.get("rotation") or ""
        form = LetterRequestForm(data, applicant=request.user)
        if not form.is_valid():
            raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        cleaned = form.cleaned_data
        letter_request = letter_request_create(
            applicant=request.user,
            writer_name=cleaned["writer_name"],
            writer_email=cleaned["writer_email"],
            writer_title=cleaned["writer_title"],
            writer_institution=cleaned["writer_institution"],
            relationship=cleaned["relationship"],
            message=cleaned["message"],
            waived=cleaned["waiver"],
            rotation=cleaned["rotation"],
        )
        return Response(LetterRequestSerializer(letter_request).data, status=201)


class LetterResendApi(ApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="letters_resend", request=None, responses=LetterRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Send the writer a fresh link; the old one stops working."""
        return Response(
            LetterRequestSerializer(
                letter_request_resend(letter_request=_own(request.user, pk), actor=request.user)
            ).data
        )


class LetterRevokeApi(ApiView):
    permission_classes = APPLICANT

    @extend_schema(operation_id="letters_revoke", request=None, responses=LetterRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Withdraw a request the writer has not answered."""
        return Response(
            LetterRequestSerializer(
                letter_request_revoke(letter_request=_own(request.user, pk), actor=request.user)
            ).data
        )
