from django.db.models import Count

from ..models import GroupMessage, Message


def group_message_list(limit: int = 100):
    return GroupMessage.objects.select_related("created_by").order_by("-created_at")[:limit]


def status_counts(group: GroupMessage) -> dict[str, int]:
    """How many of the group's messages are at each status (one query)."""
    return dict(Message.objects.filter(group=group).order_by().values_list("status")
                .annotate(count=Count("pk")).values_list("status", "count"))
