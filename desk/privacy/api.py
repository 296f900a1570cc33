"""The API of a person's rights, for organisation admins: export everything held about a
participant or a volunteer, and erase it on request. Thin: the selectors read, the services
erase; both are audited like the staff pages."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from buddy.api import ErrorSerializer
from buddy.exports import private
from matching.intake.privacy import PERSON_MODELS
from organisations.audit import audit, audit_label
from organisations.models import AuditAction
from organisations.permissions import IsOrganisationAdmin

from . import selectors, services

ERRORS = {403: ErrorSerializer, 404: ErrorSerializer}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


class EraseRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="true: the person asked for their data to be erased.")


class ErasureSerializer(serializers.Serializer):
    """The record of the erasure: no personal data."""

    subject_ref = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    done_at = serializers.DateTimeField()


ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The person's id.")


def _person(kind, pk):
    try:
        return PERSON_MODELS[kind].objects.get(pk=int(pk))
    except (ValueError, OverflowError, PERSON_MODELS[kind].DoesNotExist):
        raise Http404 from None


class PersonExportAPI(APIView):
    """Everything held about one person (profile, consents, proposals, duos, coaching,
    messages), as JSON; audited as an export."""

    permission_classes = [IsOrganisationAdmin]
    kind = ""

    @extend_schema(parameters=[ID], responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, pk):
        person = _person(self.kind, pk)
        audit(request, AuditAction.EXPORT, person, label=f"{audit_label(person)}, all data")
        return private(Response(selectors.person_data(person)))


class PersonEraseAPI(APIView):
    """Erases a person's data at their request, now: anonymised in every room, recorded
    (without the data) and audited. 409 while one of their duos has not ended."""

    permission_classes = [IsOrganisationAdmin]
    kind = ""

    @extend_schema(parameters=[ID], request=EraseRequestSerializer,
                   responses={200: ErasureSerializer, 400: ErrorSerializer,
                              409: ErrorSerializer, **ERRORS})
    def post(self, request, pk):
        person = _person(self.kind, pk)
        data = EraseRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data["confirm"]:
            raise exceptions.ValidationError(
                {"confirm": [_("Confirm that the person asked for it.")]})
        try:
            record = services.person_erase(person=person, requested_by=request.user)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from None
        audit(request, AuditAction.DELETE, person, label=f"{audit_label(person)} erased")
        return Response(ErasureSerializer(record).data)
