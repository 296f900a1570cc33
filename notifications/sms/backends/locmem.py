import uuid
from dataclasses import dataclass

from .. import BaseSmsBackend, SendResult


@dataclass(frozen=True)
class OutboxSms:
    to: str
    body: str
    reference: str
    sender: str
    provider_id: str


# Like django.core.mail.outbox: what the tests look at. Emptied by the tests' fixture.
outbox: list[OutboxSms] = []


class SmsBackend(BaseSmsBackend):
    """Keeps each SMS in `notifications.sms.backends.locmem.outbox` (tests)."""

    name = "locmem"

    def send(self, *, to, body, reference, sender="", status_callback=""):
        provider_id = f"locmem-{uuid.uuid4().hex}"
        outbox.append(OutboxSms(to, body, reference, sender, provider_id))
        return SendResult(provider_id=provider_id, status="sent")
