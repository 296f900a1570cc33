from django import template
from django.urls import reverse

from .. import hooks, selectors

register = template.Library()


@register.inclusion_tag("notifications/_person_messages.html")
def person_messages(person_key: str, limit: int = 10):
    """A person's last messages, for the owning app's page: {% person_messages key %}."""
    return {"log": selectors.message_list(person=person_key)[:limit], "person": person_key}


@register.simple_tag
def conversation_url(role: str, pk) -> str:
    """The conversation page of a person: {% conversation_url "participant" participant.pk %}."""
    return reverse("notifications:conversation", args=[f"{role}:{pk}"])
@register.filter
def plain_error(error: str) -> str:
    """A message's stored delivery error in plain words."""
    return selectors.plain_error(error)


@register.simple_tag
def person_name(key: str) -> str:
    """The name behind a person key ("participant:12"), for a page that has only the key."""
    return hooks.names([key]).get(key, "")


@register.filter
def readable_detail(detail: str) -> str:
    """A task's detail, with a stored delivery error in plain words."""
    return selectors.readable_detail(detail)
