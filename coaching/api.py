"""The coaching API: sessions, invitations and answers, attendance, coaching contacts,
training. Thin: serializers parse, the services decide, the selectors read (scoped)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from matching.intake.models import Participant, Volunteer
from organisations.audit import AuditedViewSetMixin
from organisations.models import AuditAction, User

from . import selectors, services
from .models import (
    Answer,
    AnswerChannel,
    Attendance,
    CoachingContact,
    ContactForm,
    IntervisionSession,
    Invitation,
    TrainingCompletion,
    TrainingModule,
)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id looked up in the request's organisation scope (never at import time)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        if self.model is User:
            return User.scoped.all()
        return self.model.objects.all()


class SessionSerializer(serializers.ModelSerializer):
    facilitator = ScopedPrimaryKeyField(User, required=False, allow_null=True)
    chosen_volunteers = ScopedPrimaryKeyField(Volunteer, many=True, required=False)
    chosen_participants = ScopedPrimaryKeyField(Participant, many=True, required=False)

    class Meta:
        model = IntervisionSession
        fields = ["id", "series", "topic", "starts_at", "ends_at", "place", "online_link",
                  "facilitator", "audience", "chosen_volunteers", "chosen_participants",
                  "capacity", "theme_description", "status", "sequence",
                  "cancellation_reason"]
        read_only_fields = ["series", "status", "sequence", "cancellation_reason"]


class SessionUpdateSerializer(SessionSerializer):
    scope = serializers.ChoiceField(choices=services.SCOPES, default=services.THIS,
                                    write_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "scope"]


class CancelSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=services.SCOPES, default=services.THIS)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   default="")


class InvitationSerializer(serializers.ModelSerializer):
    # Blank until the invitee answers; declared so the schema lists the blank value too.
    channel = serializers.ChoiceField(choices=AnswerChannel.choices, allow_blank=True,
                                      read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "session", "volunteer", "participant", "answer", "waiting_position",
                  "answered_at", "channel", "recorded_by", "created_at"]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[Answer.YES, Answer.NO, Answer.MAYBE])


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "session", "volunteer", "participant", "present", "recorded_by",
                  "recorded_at"]
        read_only_fields = fields


class MarkSerializer(serializers.Serializer):
    invitation = serializers.IntegerField()
    present = serializers.BooleanField()


class AttendanceRecordSerializer(serializers.Serializer):
    marks = MarkSerializer(many=True)


class CoachingContactSerializer(serializers.ModelSerializer):
    volunteer = ScopedPrimaryKeyField(Volunteer)
    participant = ScopedPrimaryKeyField(Participant, required=False, allow_null=True)
    form = serializers.ChoiceField(choices=ContactForm.choices)

    class Meta:
        model = CoachingContact
        fields = ["id", "volunteer", "participant", "happened_on", "form", "note",
                  "coordinator", "created_at"]
        read_only_fields = ["coordinator", "created_at"]


class TrainingModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingModule
        fields = ["id", "name_nl", "name_fr", "name_en", "is_basic"]


class TrainingCompletionSerializer(serializers.ModelSerializer):
    module = ScopedPrimaryKeyField(TrainingModule)
    volunteer = ScopedPrimaryKeyField(Volunteer)

    class Meta:
        model = TrainingCompletion
        fields = ["id", "module", "volunteer", "completed_on", "recorded_by"]
        read_only_fields = ["recorded_by"]


def _organisation(request):
    if request.user.organisation_id is None:
        raise PermissionDenied(_("Work as a member of an organisation."))
    return request.user.organisation


def _fields(data, exclude=()):
    return {k: v for k, v in data.items() if k not in exclude}


@extend_schema(parameters=[OpenApiParameter("when", str, enum=["upcoming", "past"])])
class SessionViewSet(AuditedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.UpdateModelMixin,
                     viewsets.GenericViewSet):
    """Intervision sessions of the organisation: upcoming (default) or ?when=past.

    A change (PATCH) says its `scope`: "this" session or the "rest_of_series"; a new time or
    place is told to everyone who said yes or maybe."""

    filterset_fields = ["status", "audience", "series"]
    audit_model = IntervisionSession
    audit_actions = {"cancel": AuditAction.CHANGE, "invite": AuditAction.CHANGE,
                     "attendance": AuditAction.CHANGE}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.session_list(past=self.request.query_params.get("when") == "past")
        return selectors.session_detail_queryset()

    def get_serializer_class(self):
        if self.action == "partial_update":
            return SessionUpdateSerializer
        if self.action == "cancel":
            return CancelSerializer
        if self.action == "attendance":
            return AttendanceRecordSerializer
        return SessionSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.session_create(
            organisation=_organisation(self.request),
            **_fields(data, ("chosen_volunteers", "chosen_participants")),
            chosen_volunteers=data.get("chosen_volunteers", ()),
            chosen_participants=data.get("chosen_participants", ()),
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        scope = data.pop("scope", services.THIS)
        services.session_update(session=serializer.instance, scope=scope, **data)
        serializer.instance = selectors.session_detail_queryset().get(
            pk=serializer.instance.pk)

    @extend_schema(request=CancelSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancels the session (or the rest of its series); yes and maybe are told."""
        session = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(session=session, **serializer.validated_data)
        session.refresh_from_db()
        return Response(SessionSerializer(session).data)

    # The actions below answer with the rows they wrote: a plain list, not a page of one.
    @extend_schema(request=None, responses={201: InvitationSerializer(many=True),
                                            200: InvitationSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)
    def invite(self, request, pk=None):
        """Invites the audience not invited yet (never twice); answers with the new ones (201),
        or with an empty list when everyone was invited already (200)."""
        created = services.invitations_send(session=self.get_object())
        return Response(InvitationSerializer(created, many=True).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=AttendanceRecordSerializer, responses=AttendanceSerializer(many=True))
    @action(detail=True, methods=["post"], pagination_class=None)
    def attendance(self, request, pk=None):
        """Records present (true) or absent (false) per invitation; answers with those rows."""
        session = self.get_object()
        serializer = AttendanceRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marks = {m["invitation"]: m["present"] for m in serializer.validated_data["marks"]}
        saved = services.attendance_record(session=session, marks=marks,
                                           recorded_by=request.user)
        return Response(AttendanceSerializer(saved, many=True).data)


class InvitationViewSet(AuditedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Invitations and their answers; POST …/answer/ records an answer for the invitee."""

    serializer_class = InvitationSerializer
    filterset_fields = ["session", "answer", "volunteer", "participant"]
    audit_model = Invitation
    audit_actions = {"answer": AuditAction.CHANGE}

    def get_queryset(self):
        return selectors.invitation_list()

    @extend_schema(request=AnswerSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Records yes, no or maybe; a yes beyond the seats goes on the waiting list."""
        invitation = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_answer(invitation, serializer.validated_data["answer"],
                                                AnswerChannel.API, recorded_by=request.user)
        return Response(InvitationSerializer(invitation).data)


class AttendanceViewSet(AuditedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Who was at which session (record it with POST sessions/{id}/attendance/)."""

    serializer_class = AttendanceSerializer
    filterset_fields = ["session", "volunteer", "participant", "present"]
    audit_model = Attendance

    def get_queryset(self):
        return selectors.attendance_list()


class CoachingContactViewSet(AuditedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             mixins.CreateModelMixin, viewsets.GenericViewSet):
    """One-to-one coaching contacts with a volunteer or a duo."""

    serializer_class = CoachingContactSerializer
    filterset_fields = ["volunteer", "participant", "form"]
    audit_model = CoachingContact

    def get_queryset(self):
        return selectors.contact_list()

    def perform_create(self, serializer):
        serializer.instance = services.coaching_contact_record(
            organisation=_organisation(self.request), coordinator=self.request.user,
            **serializer.validated_data)


class TrainingModuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The organisation's training modules; at most one is the basic training."""

    serializer_class = TrainingModuleSerializer

    def get_queryset(self):
        return selectors.training_module_list()

    def perform_create(self, serializer):
        serializer.instance = services.training_module_save(
            organisation=_organisation(self.request), **serializer.validated_data)


class TrainingCompletionViewSet(AuditedViewSetMixin, mixins.ListModelMixin,
                                mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                                viewsets.GenericViewSet):
    """Completed training; the basic training counts toward readiness for matching."""

    serializer_class = TrainingCompletionSerializer
    filterset_fields = ["module", "volunteer"]
    audit_model = TrainingCompletion

    def get_queryset(self):
        return selectors.training_completion_list()

    def perform_create(self, serializer):
        serializer.instance = services.training_complete(recorded_by=self.request.user,
                                                         **serializer.validated_data)

