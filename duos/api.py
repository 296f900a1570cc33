"""The duos API: staff endpoints (the default permission) and the volunteer's own ones."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations.audit import AuditedViewSetMixin
from organisations.models import AuditAction

from . import selectors, services
from .models import (
    Agreement,
    Alert,
    CheckIn,
    ConfirmationChannel,
    Duo,
    Expense,
    ExpenseKind,
    MeetingLog,
    Side,
)


class IsVolunteer(permissions.BasePermission):
    """A logged-in volunteer; the querysets then hold only their own duos."""

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and request.user.is_volunteer)


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["start_date", "duration_kind", "duration_months", "end_date",
                  "meeting_frequency", "buddy_roles", "buddy_roles_other", "excluded_areas",
                  "excluded_areas_other", "expenses_reimbursed", "expenses_monthly_max_cents",
                  "how_to_reach", "volunteer_confirmed_at", "volunteer_confirmed_channel",
                  "participant_confirmed_at", "participant_confirmed_channel"]


class DuoSerializer(serializers.ModelSerializer):
    agreement = AgreementSerializer(read_only=True)
    participant_name = serializers.CharField(source="participant.display_name", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.display_name", read_only=True)
    last_meeting = serializers.DateField(read_only=True, allow_null=True)
    open_alerts = serializers.IntegerField(read_only=True)

    class Meta:
        model = Duo
        fields = ["id", "status", "participant", "participant_name", "volunteer",
                  "volunteer_name", "started_on", "ended_on", "agreement", "last_meeting",
                  "open_alerts"]


class PhoneConfirmationSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "planned_on", "done_on", "with_whom", "how", "note"]
        read_only_fields = ["id", "planned_on"]
        extra_kwargs = {"done_on": {"required": True, "allow_null": False},
                        "with_whom": {"required": True}, "how": {"required": True}}


class DuoViewSet(AuditedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The organisation's duos, with the agreement and its end date; a coordinator records
    a confirmation given by phone and check-ins here."""

    audit_model = Duo
    audit_actions = {"confirm_by_phone": AuditAction.CHANGE, "checkins": AuditAction.CHANGE}

    serializer_class = DuoSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.duo_list()

    @extend_schema(request=PhoneConfirmationSerializer, responses=DuoSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-by-phone")
    def confirm_by_phone(self, request, pk=None):
        data = PhoneConfirmationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duo = services.agreement_confirm(duo=self.get_object(),
                            side=data.validated_data["side"],
                            channel=ConfirmationChannel.PHONE, recorded_by=request.user)
        return Response(DuoSerializer(self.get_queryset().get(pk=duo.pk)).data)

    @extend_schema(request=CheckInSerializer, responses=CheckInSerializer)
    @action(detail=True, methods=["post"])
    def checkins(self, request, pk=None):
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = services.checkin_record(duo=self.get_object(),
                                recorded_by=request.user, **data.validated_data)
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)


class MeetingLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingLog
        fields = ["id", "duo", "date", "did_not_meet", "not_met_reason", "duration",
                  "activities", "activity_text", "how_it_went", "note_to_coordinator",
                  "wants_to_talk", "created_at"]
        read_only_fields = ["id", "created_at"]


class MeetingLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Every meeting log of the organisation's duos (staff)."""

    serializer_class = MeetingLogSerializer
    filterset_fields = ["duo", "did_not_meet", "wants_to_talk"]

    def get_queryset(self):
        return selectors.meeting_log_list()


class ExpenseSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)
    has_receipt = serializers.SerializerMethodField()

    class Meta:
        model = Expense
        fields = ["id", "duo", "meeting_log", "spent_on", "amount", "amount_cents", "kind",
                  "description", "has_receipt", "status", "claimed_at", "decided_at",
                  "rejection_reason", "paid_at"]

    def get_has_receipt(self, obj) -> bool:
        return bool(obj.receipt)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ExpenseViewSet(viewsets.ReadOnlyModelViewSet):
    """Expenses of the organisation's duos, with approval, rejection and payment."""

    serializer_class = ExpenseSerializer
    filterset_fields = ["status", "kind", "duo"]

    def get_queryset(self):
        return Expense.objects.select_related("duo").order_by("-spent_on", "-id")

    @extend_schema(request=None, responses=ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        expense = services.expense_approve(expense=self.get_object(),
                                approved_by=request.user)
        return Response(ExpenseSerializer(expense).data)

    @extend_schema(request=RejectSerializer, responses=ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expense = services.expense_reject(expense=self.get_object(),
                                rejected_by=request.user, reason=data.validated_data["reason"])
        return Response(ExpenseSerializer(expense).data)

    @extend_schema(request=None, responses=ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        expense = services.expense_mark_paid(expense=self.get_object(),
                                paid_by=request.user)
        return Response(ExpenseSerializer(expense).data)


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "duo", "kind", "detail", "created_at", "resolved_at", "resolution_note"]


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts of the organisation's duos (open ones unless ?all=1)."""

    serializer_class = AlertSerializer
    filterset_fields = ["kind", "duo"]

    def get_queryset(self):
        return selectors.alert_list(open_only=self.request.query_params.get("all") != "1")

    @extend_schema(request=ResolveSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_resolve(alert=self.get_object(), resolved_by=request.user,
                                       note=data.validated_data.get("note", ""))
        return Response(AlertSerializer(alert).data)


class FollowUpItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    priority = serializers.IntegerField()
    since = serializers.DateField()
    title = serializers.CharField()
    duo = serializers.IntegerField(source="duo.pk")
    end_date = serializers.DateField(source="duo.agreement.end_date", allow_null=True)
    alert = serializers.IntegerField(source="alert.pk", allow_null=True, default=None)


class FollowUpView(APIView):
    """What needs attention today, most urgent first."""

    @extend_schema(responses=FollowUpItemSerializer(many=True))
    def get(self, request):
        return Response(FollowUpItemSerializer(selectors.follow_up_items(), many=True).data)


class MyDuoSerializer(serializers.ModelSerializer):
    """What a volunteer may see of their own duo: the participant's first name only."""

    participant_first_name = serializers.SerializerMethodField()
    agreement = AgreementSerializer(read_only=True)

    class Meta:
        model = Duo
        fields = ["id", "status", "participant_first_name", "started_on", "agreement"]

    def get_participant_first_name(self, obj) -> str:
        return obj.participant_name_for_buddy


class MyDuoViewSet(viewsets.ReadOnlyModelViewSet):
    """The logged-in volunteer's own duos."""

    permission_classes = [IsVolunteer]
    serializer_class = MyDuoSerializer

    def get_queryset(self):
        return selectors.volunteer_duos(self.request.user)


class MyMeetingLogViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The logged-in volunteer's meeting logs; POST logs a meeting for one of their duos."""

    permission_classes = [IsVolunteer]
    serializer_class = MeetingLogSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetingLog.objects.none()
        return MeetingLog.objects.filter(duo__volunteer__user=self.request.user).order_by(
            "-date", "-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        duo = data.pop("duo")
        if not selectors.volunteer_duos(request.user).filter(pk=duo.pk).exists():
            raise NotFound()
        log = services.meeting_log_create(duo=duo, created_by=request.user,
                            **data)
        return Response(MeetingLogSerializer(log).data, status=status.HTTP_201_CREATED)


class MyExpenseClaimSerializer(serializers.Serializer):
    duo = serializers.IntegerField()
    spent_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=7, decimal_places=2)
    kind = serializers.ChoiceField(choices=ExpenseKind.choices)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    receipt = serializers.FileField(required=False)


class MyExpenseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The logged-in volunteer's expenses; POST (multipart, with an optional receipt) claims
    one for one of their duos."""

    permission_classes = [IsVolunteer]
    serializer_class = ExpenseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Expense.objects.none()
        return Expense.objects.filter(duo__volunteer__user=self.request.user).order_by(
            "-spent_on", "-id")

    @extend_schema(request=MyExpenseClaimSerializer, responses=ExpenseSerializer)
    def create(self, request, *args, **kwargs):
        data = MyExpenseClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        duo = selectors.volunteer_duos(request.user).filter(pk=fields.pop("duo")).first()
        if duo is None:
            raise NotFound()
        expense = services.expense_claim(duo=duo, claimed_by=request.user,
                                **fields)
        return Response(ExpenseSerializer(expense).data, status=status.HTTP_201_CREATED)
