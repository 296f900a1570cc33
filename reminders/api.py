from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class ReminderRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    subject_ref = serializers.CharField()
    period_key = serializers.CharField()
    recipient_key = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)


class ReminderOverviewSerializer(serializers.Serializer):
    upcoming = ReminderRowSerializer(many=True)
    history = ReminderRowSerializer(many=True)


class RemindersOverviewView(APIView):
    """Upcoming reminders (next 14 days, overdue first) and the latest sent ones."""

    @extend_schema(responses=ReminderOverviewSerializer, operation_id="reminders_overview")
    def get(self, request):
        data = {"upcoming": selectors.upcoming(), "history": selectors.history()}
        return Response(ReminderOverviewSerializer(data).data)
