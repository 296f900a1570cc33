"""WhatsApp templates: a message the business starts (outside the 24 hours after the person
wrote) must be a template Meta approved. A room registers, next to an SMS text, the
template that says the same (`register(WhatsAppTemplate(kind, name, variables))`); the
ContentSid Twilio gives each approved template per language is configuration
(`TWILIO_WHATSAPP_TEMPLATES`: {"<name>:<language>": "HX..."}). Without a template for the
kind and language, or outside WhatsApp's reach, the message goes by SMS."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class WhatsAppTemplate:
    kind: str  # the SMS kind it stands for: the same context, the same question
    name: str  # the template's name as approved
    variables: tuple[str, ...]  # the context values for {{1}}, {{2}}...

    def content_sid(self, language: str) -> str:
        return settings.TWILIO_WHATSAPP_TEMPLATES.get(f"{self.name}:{language}", "")

    def values(self, context: dict) -> dict[str, str]:
        return {str(n): str(context.get(name, "")) for n, name in
                enumerate(self.variables, start=1)}


REGISTRY: dict[str, WhatsAppTemplate] = {}


def register(template: WhatsAppTemplate) -> WhatsAppTemplate:
    REGISTRY[template.kind] = template
    return template


def get(kind: str) -> WhatsAppTemplate | None:
    return REGISTRY.get(kind)
