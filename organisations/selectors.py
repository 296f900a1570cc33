from django.db.models import Q

from .models import APIToken, AuditEvent, Organisation, User


def organisation_list():
    return Organisation.objects.all()


def user_list():
    return User.scoped.select_related("organisation").order_by("username")


def api_token_list():
    """The API tokens of the organisation, newest first (never the token: only its digest
    is stored)."""
    return APIToken.scoped.select_related("user").order_by("-created", "-id")


def audit_event_list(
    *, person: str = "", action: str = "", date_from=None, date_to=None,
):
    """The organisation's audit log, newest first, filtered; no joins (the actor's username
    is stored on the event, so a deleted account still reads right)."""
    events = AuditEvent.objects.all()
    if person:
        events = events.filter(
            Q(subject_ref=person) | Q(actor_username__iexact=person) | Q(label__icontains=person)
        )
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events.order_by("-created_at", "-id")
