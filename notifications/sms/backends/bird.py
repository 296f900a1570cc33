"""Bird's current API (v1), the EU provider: `POST /v1/sms` with a Bearer API key and an
Idempotency-Key, and webhooks signed as the Standard Webhooks specification says (the
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers; an HMAC-SHA256 of
"<id>.<timestamp>.<body>" with the endpoint's `whsec_` secret, base64, "v1," before it).

One class, like every transport: `send` raises the shared `SmsError` saying whether a
retry can help. The message's own id is its idempotency key, so a retry after a timeout
returns Bird's first answer instead of texting the person twice.
"""

import base64
import hashlib
import hmac
import json
import time

import requests
from django.conf import settings

from .. import BaseSmsBackend, InboundSms, SendResult, SmsError, StatusReport

# Bird's delivery states, in our words. "undelivered" and "failed" are final.
STATUSES = {
    "accepted": "queued", "queued": "queued", "scheduled": "queued", "sending": "queued",
    "sent": "sent", "delivered": "delivered", "undelivered": "failed", "failed": "failed",
    "expired": "failed", "rejected": "failed",
}
# Standard Webhooks: a signature older or newer than this is a replay.
TOLERANCE_SECONDS = 5 * 60
INBOUND_EVENTS = {"sms.received", "sms.inbound"}


def _secret(signing_key: str) -> bytes:
    key = signing_key.removeprefix("whsec_")
    try:
        return base64.b64decode(key, validate=True)
    except ValueError:
        return key.encode()


def sign(signing_key: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The `webhook-signature` value Bird computes (tests and verification share it)."""
    digest = hmac.new(_secret(signing_key), f"{webhook_id}.{timestamp}.".encode() + body,
                      hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class SmsBackend(BaseSmsBackend):
    """Bird (formerly MessageBird) through its current v1 API, over requests."""

    name = "bird"

    def __init__(self):
        self.api_key = settings.BIRD_API_KEY
        self.api_url = settings.BIRD_API_URL.rstrip("/")
        self.signing_key = settings.BIRD_SIGNING_KEY
        self.sender = settings.BIRD_SENDER
        self.session = requests.Session()

    def send(self, *, to, body, reference, sender="", status_callback=""):
        if not self.api_key:
            raise SmsError("Bird is not configured (BIRD_API_KEY)", permanent=True,
                           code="config")
        payload = {"to": to, "from": sender or self.sender, "text": body,
                   "metadata": {"reference": str(reference)}}
        if status_callback:
            payload["webhook_url"] = status_callback
        try:
            response = self.session.post(
                f"{self.api_url}/v1/sms", json=payload, timeout=15,
                headers={"Authorization": f"Bearer {self.api_key}",
                         "Idempotency-Key": f"buddy-sms-{reference}",
                         "Accept": "application/json"})
        except requests.RequestException as exc:
            raise SmsError(f"Bird unreachable: {exc}", permanent=False, code="network") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data.get("error"), dict) else data
            code = str(error.get("code") or response.status_code)
            # 408, 409 (the same key still being handled), 429 and Bird's own trouble pass;
            # a bad number, a bad key or a refused sender do not.
            transient = response.status_code in (408, 409, 429) or response.status_code >= 500
            raise SmsError(f"Bird {response.status_code} {code}: {error.get('message', '')}",
                           permanent=not transient, code=code)
        message = data.get("data", data)
        return SendResult(provider_id=str(message.get("id", "")),
                          status=STATUSES.get(message.get("status", ""), "queued"))

    def verify_request(self, request, url):
        """Standard Webhooks: the signature over id, timestamp and the raw body, with the
        endpoint's secret, within five minutes (a replayed or tampered event is refused)."""
        webhook_id = request.headers.get("webhook-id", "")
        timestamp = request.headers.get("webhook-timestamp", "")
        signatures = request.headers.get("webhook-signature", "")
        if not (self.signing_key and webhook_id and timestamp.isdigit() and signatures):
            return False
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
        expected = sign(self.signing_key, webhook_id, timestamp, request.body)
        # Several space-separated signatures while Bird rotates the secret.
        return any(hmac.compare_digest(expected, given)
                   for given in signatures.split() if given.startswith("v1,"))

    @staticmethod
    def _event(request) -> dict:
        try:
            event = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return event if isinstance(event, dict) else {}

    def parse_inbound(self, request):
        event = self._event(request)
        data = event.get("data") or {}
        return InboundSms(
            sender=str(data.get("from", "")), to=str(data.get("to", "")),
            body=str(data.get("text", data.get("body", ""))),
            provider_id=str(data.get("sms_id") or data.get("id") or
                            request.headers.get("webhook-id", "")))

    def parse_status(self, request):
        event = self._event(request)
        data = event.get("data") or {}
        state = str(event.get("type", "")).removeprefix("sms.")
        error = data.get("error") or {}
        return StatusReport(
            provider_id=str(data.get("sms_id") or data.get("id") or ""),
            status=STATUSES.get(state, ""),
            error=str(error.get("code", "")) if isinstance(error, dict) else str(error))
