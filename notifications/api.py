from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import CoordinatorTask, Message


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "created_at", "direction", "channel", "template", "recipient_key",
                  "first_name", "phone", "email", "language", "subject", "body", "segments",
                  "encoding", "cost", "status", "error", "not_before", "sent_at",
                  "status_at"]


class CoordinatorTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoordinatorTask
        fields = ["id", "created_at", "kind", "recipient_key", "first_name", "phone",
                  "detail", "message", "done_at", "done_by"]
        read_only_fields = fields


class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """The message log of the organisation; `?recipient_key=` for one person's."""

    serializer_class = MessageSerializer
    filterset_fields = ["recipient_key", "channel", "direction", "status", "template"]

    def get_queryset(self):
        return selectors.message_list()


class CoordinatorTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Follow-up items from messages (undelivered SMS, STOP, HELP, replies not understood)."""

    serializer_class = CoordinatorTaskSerializer
    filterset_fields = ["kind", "recipient_key"]

    def get_queryset(self):
        return selectors.task_list(open_only=self.request.query_params.get("open") != "false")

    @extend_schema(request=None, responses=CoordinatorTaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = services.task_done(task=self.get_object(), user=request.user)
        return Response(CoordinatorTaskSerializer(task).data)


class ReminderRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    subject_ref = serializers.CharField()
    period_key = serializers.CharField()
    recipient_key = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)
    # The history's (empty for upcoming ones): "sent" only when a message or task was made.
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    made = serializers.CharField()


class ReminderOverviewSerializer(serializers.Serializer):
    upcoming = ReminderRowSerializer(many=True)
    history = ReminderRowSerializer(many=True)


class RemindersOverviewView(APIView):
    """Upcoming reminders (next 14 days, overdue first) and the latest ones claimed, with
    what came of each (sent, a duplicate, nothing, nothing to send any more)."""

    @extend_schema(responses=ReminderOverviewSerializer, operation_id="reminders_overview")
    def get(self, request):
        data = {"upcoming": selectors.reminders_upcoming(),
                "history": selectors.reminders_history()}
        return Response(ReminderOverviewSerializer(data).data)
