import json

from django.conf import settings
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from .. import BaseSmsBackend, InboundSms, SendResult, SmsError, StatusReport

STATUSES = {
    "accepted": "queued", "scheduled": "queued", "queued": "queued", "sending": "queued",
    "sent": "sent", "delivered": "delivered", "read": "delivered",
    "undelivered": "failed", "failed": "failed", "canceled": "failed",
    "receiving": "received", "received": "received",
}


class SmsBackend(BaseSmsBackend):
    """Twilio, through its official SDK (sending, and the SDK's validator for webhooks)."""

    name = "twilio"

    def __init__(self):
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        self.client = Client(
            self.account_sid or "AC-not-configured", self.auth_token or "not-configured",
            http_client=TwilioHttpClient(timeout=15),
        )

    def send(self, *, to, body, reference, sender="", status_callback=""):
        if not (self.account_sid and self.auth_token):
            raise SmsError("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)",
                           permanent=True, code="config")
        kwargs = {"to": to, "body": body, "from_": sender or self.from_number}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            # A 4xx is the request itself (21211 invalid 'To', 21610 the number replied
            # STOP, 21614 not a mobile number, 20003 bad credentials): trying again cannot
            # help. Rate limits and Twilio's own trouble can.
            transient = exc.status == 429 or exc.status >= 500
            raise SmsError(
                f"Twilio {exc.status} {exc.code}: {exc.msg}", permanent=not transient,
                code=str(exc.code or exc.status),
            ) from exc
        except (TwilioException, RequestException) as exc:
            raise SmsError(f"Twilio unreachable: {exc}", permanent=False, code="network") from exc
        return SendResult(provider_id=message.sid, status=STATUSES.get(message.status, "queued"))

    def send_whatsapp(self, *, to, body, reference, content_sid="", variables=None,
                      status_callback=""):
        """Twilio's WhatsApp API: `whatsapp:` numbers; a template by its ContentSid and
        ContentVariables, or free text (Body) inside the 24-hour window."""
        if not (self.account_sid and self.auth_token and settings.TWILIO_WHATSAPP_FROM):
            raise SmsError("Twilio WhatsApp is not configured (TWILIO_WHATSAPP_FROM)",
                           permanent=True, code="config")
        kwargs = {"to": f"whatsapp:{to}", "from_": f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}"}
        if content_sid:
            kwargs.update(content_sid=content_sid,
                          content_variables=json.dumps(variables or {}))
        else:
            kwargs["body"] = body
        if status_callback:
            kwargs["status_callback"] = status_callback
        return self._create(kwargs)

    def _create(self, kwargs):
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            # 63016 (free text outside the 24-hour window), 63003 (not a WhatsApp number),
            # 63024 (invalid recipient): permanent, the message goes by SMS instead.
            transient = exc.status == 429 or exc.status >= 500
            raise SmsError(f"Twilio {exc.status} {exc.code}: {exc.msg}", permanent=not transient,
                           code=str(exc.code or exc.status)) from exc
        except (TwilioException, RequestException) as exc:
            raise SmsError(f"Twilio unreachable: {exc}", permanent=False, code="network") from exc
        return SendResult(provider_id=message.sid, status=STATUSES.get(message.status, "queued"))

    def verify_request(self, request, url):
        signature = request.headers.get("X-Twilio-Signature", "")
        if not (self.auth_token and signature):
            return False
        return RequestValidator(self.auth_token).validate(url, request.POST, signature)

    def parse_inbound(self, request):
        data = request.POST
        sender = data.get("From", "")
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        return InboundSms(sender=sender.removeprefix("whatsapp:"),
                          to=data.get("To", "").removeprefix("whatsapp:"),
                          body=data.get("Body", ""), provider_id=data.get("MessageSid", ""),
                          channel=channel)

    def parse_status(self, request):
        data = request.POST
        return StatusReport(
            provider_id=data.get("MessageSid", ""),
            status=STATUSES.get(data.get("MessageStatus", ""), ""),
            error=data.get("ErrorCode", ""),
        )
