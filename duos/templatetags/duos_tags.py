from django import template

from organisations.permissions import is_staff_user

from .. import selectors

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
