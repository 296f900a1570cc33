from django import template
from django.urls import reverse

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_person_messages.html")
def person_messages(person_key: str, limit: int = 10):
    """A person's last messages, for the owning app's page: {% person_messages key %}."""
    return {"log": selectors.message_list(person=person_key)[:limit], "person": person_key}


@register.simple_tag
def conversation_url(role: str, pk) -> str:
    """The conversation page of a person: {% conversation_url "participant" participant.pk %}."""
    return reverse("notifications:conversation", args=[f"{role}:{pk}"])
