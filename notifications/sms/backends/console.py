import sys
import uuid

from .. import BaseSmsBackend, SendResult


class SmsBackend(BaseSmsBackend):
    """Prints each SMS (for `make run`): nothing leaves the machine."""

    name = "console"

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to, body, reference, sender="", status_callback=""):
        self.stream.write(f"--- SMS to {to} (ref {reference})\n{body}\n---\n")
        self.stream.flush()
        return SendResult(provider_id=f"console-{uuid.uuid4().hex}", status="sent")

    def send_whatsapp(self, *, to, body, reference, content_sid="", variables=None,
                      status_callback=""):
        template = f" template {content_sid} {variables}" if content_sid else ""
        self.stream.write(f"--- WhatsApp to {to} (ref {reference}){template}\n{body}\n---\n")
        self.stream.flush()
        return SendResult(provider_id=f"console-wa-{uuid.uuid4().hex}", status="sent")
