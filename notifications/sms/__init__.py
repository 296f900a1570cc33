"""SMS transports, one small class per provider, chosen by `settings.SMS_BACKEND`.

    from notifications.sms import get_backend
    result = get_backend().send(to="+32470123456", body="...", reference="42")

Every backend raises `SmsError` on failure, saying whether trying again can help.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """A send that failed. `permanent` is true when trying again cannot help (an invalid
    number, a number that stopped SMS, bad credentials); false for a timeout, a rate limit
    or a provider's own trouble."""

    def __init__(self, message: str, *, permanent: bool, code: str = ""):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str = "queued"  # a notifications.models.Status value


@dataclass(frozen=True)
class InboundSms:
    sender: str
    to: str
    body: str
    provider_id: str
    channel: str = "sms"  # "whatsapp" for a WhatsApp message (Twilio's whatsapp: numbers)


@dataclass(frozen=True)
class StatusReport:
    provider_id: str
    status: str  # a notifications.models.Status value
    error: str = ""


class BaseSmsBackend:
    name = "base"

    def send(self, *, to: str, body: str, reference: str, sender: str = "",
             status_callback: str = "") -> SendResult:
        raise NotImplementedError

    def send_whatsapp(self, *, to: str, body: str, reference: str, content_sid: str = "",
                      variables: dict | None = None, status_callback: str = "") -> SendResult:
        """A WhatsApp message: an approved template (`content_sid` with its variables) or,
        inside the 24 hours after the person wrote, free text. A provider without WhatsApp
        fails permanently, and the message goes by SMS instead."""
        raise SmsError(f"{self.name} does not send WhatsApp messages", permanent=True,
                       code="no_whatsapp")

    # Inbound webhooks: each provider's request format and signature.
    def verify_request(self, request, url: str) -> bool:
        return False

    def parse_inbound(self, request) -> InboundSms:
        raise NotImplementedError

    def parse_status(self, request) -> StatusReport:
        raise NotImplementedError


def get_backend(path: str | None = None) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)()


def backend_for(name: str) -> BaseSmsBackend:
    """The backend of a provider's webhook, whichever backend sends today."""
    return get_backend(f"notifications.sms.backends.{name}.SmsBackend")
