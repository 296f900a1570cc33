from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_person_messages.html")
def person_messages(person_key: str, limit: int = 10):
    """A person's last messages, for the owning app's page: {% person_messages key %}."""
    return {"log": selectors.message_list(person=person_key)[:limit], "person": person_key}
