from django import template

from matching.intake.models import BuddyRole, LifeArea
from organisations.permissions import is_staff_user

from .. import selectors
from ..models import ActivityKind

LABELS = {"roles": BuddyRole, "areas": LifeArea, "activities": ActivityKind}

register = template.Library()


@register.simple_tag(takes_context=True)
def duo_follow_up(context, limit=8):
    """The staff home's panel: the most urgent follow-up items (empty for non-staff)."""
    request = context.get("request")
    if request is None or not is_staff_user(request.user):
        return {"items": [], "more": 0}
    items = selectors.follow_up_items()
    return {"items": items[:limit], "more": max(0, len(items) - limit)}


@register.filter
def euros(cents):
    if cents in (None, ""):
        return ""
    return f"€\u00a0{int(cents) / 100:.2f}".replace(".", ",")


@register.filter
def labels(values, kind):
    """The translated labels of stored choice keys (roles, areas, activities), joined."""
    choices = dict(LABELS[kind].choices)
    return ", ".join(str(choices.get(value, value)) for value in values or [])
