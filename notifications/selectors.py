from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from . import hooks
from .models import Channel, CoordinatorTask, Direction, Message, SignedLink
from .quiet_hours import local_zone


def message_list(*, person: str = "", channel: str = "", direction: str = ""):
    """The message log of the current organisation, newest first."""
    messages = Message.objects.all()
    if person:
        messages = messages.filter(recipient_key=person)
    if channel:
        messages = messages.filter(channel=channel)
    if direction:
        messages = messages.filter(direction=direction)
    return messages.order_by("-created_at", "-pk")


def link_list(*, person: str):
    return SignedLink.objects.filter(recipient_key=person).order_by("-created_at")


def task_list(*, open_only: bool = True):
    tasks = CoordinatorTask.objects.select_related("done_by", "message")
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return tasks.order_by("done_at", "-created_at", "-pk")


def open_task_count() -> int:
    return CoordinatorTask.objects.filter(done_at__isnull=True).count()


def sms_usage_by_month():
    """SMS sent and received per month (Brussels time), with segments and estimated cost."""
    sent = Q(direction=Direction.OUT, sent_at__isnull=False)
    return (
        Message.objects.filter(channel=Channel.SMS)
        .filter(sent | Q(direction=Direction.IN))
        .annotate(month=TruncMonth("created_at", tzinfo=local_zone()))
        .values("month")
        .annotate(
            sent=Count("pk", filter=sent),
            received=Count("pk", filter=Q(direction=Direction.IN)),
            segments=Sum("segments", filter=sent),
            cost=Sum("cost", filter=sent),
        )
        .order_by("-month")
    )


def person_link(key: str) -> str | None:
    return hooks.person_url(key) if key else None
