import uuid
from dataclasses import dataclass

from .. import BaseSmsBackend, SendResult, SmsError


@dataclass(frozen=True)
class OutboxSms:
    to: str
    body: str
    reference: str
    sender: str
    provider_id: str
    channel: str = "sms"
    content_sid: str = ""
    variables: dict | None = None


# Like django.core.mail.outbox: what the tests look at. Emptied by the tests' fixture.
outbox: list[OutboxSms] = []
# Numbers the tests say have no WhatsApp (Twilio answers 63003 for them).
not_on_whatsapp: set[str] = set()


class SmsBackend(BaseSmsBackend):
    """Keeps each SMS in `notifications.sms.backends.locmem.outbox` (tests)."""

    name = "locmem"

    def send(self, *, to, body, reference, sender="", status_callback=""):
        provider_id = f"locmem-{uuid.uuid4().hex}"
        outbox.append(OutboxSms(to, body, reference, sender, provider_id))
        return SendResult(provider_id=provider_id, status="sent")

    def send_whatsapp(self, *, to, body, reference, content_sid="", variables=None,
                      status_callback=""):
        if to in not_on_whatsapp:
            raise SmsError("Twilio 400 63003: not a WhatsApp number", permanent=True,
                           code="63003")
        provider_id = f"locmem-wa-{uuid.uuid4().hex}"
        outbox.append(OutboxSms(to, body, reference, "", provider_id, "whatsapp",
                                content_sid, variables))
        return SendResult(provider_id=provider_id, status="sent")
