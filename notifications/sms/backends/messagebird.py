import hashlib
import hmac

import jwt
import requests
from django.conf import settings

from .. import BaseSmsBackend, InboundSms, SendResult, SmsError, StatusReport

API_URL = "https://rest.messagebird.com/messages"
# MessageBird error code that a later try can overcome: not enough balance (until topped up).
# The others of a 4xx (2 bad access key, 9 no correct recipients, 10 invalid parameter) cannot.
NO_BALANCE = 25
STATUSES = {
    "scheduled": "queued", "buffered": "queued", "sent": "sent", "delivered": "delivered",
    "expired": "failed", "delivery_failed": "failed",
}
SIGNATURE_HEADER = "MessageBird-Signature-JWT"
SIGNATURE_ALGORITHMS = ["HS256", "HS384", "HS512"]


class SmsBackend(BaseSmsBackend):
    """MessageBird (Bird), used in Belgium and the Netherlands: its REST API over requests,
    and its signed webhooks (a JWT with hashes of the URL and of the body)."""

    name = "messagebird"

    def __init__(self):
        self.access_key = settings.MESSAGEBIRD_ACCESS_KEY
        self.signing_key = settings.MESSAGEBIRD_SIGNING_KEY
        self.originator = settings.MESSAGEBIRD_ORIGINATOR
        self.session = requests.Session()

    def send(self, *, to, body, reference, sender="", status_callback=""):
        if not self.access_key:
            raise SmsError("MessageBird is not configured (MESSAGEBIRD_ACCESS_KEY)",
                           permanent=True, code="config")
        payload = {
            "originator": (sender or self.originator).lstrip("+"),
            "recipients": [to.lstrip("+")],
            "body": body,
            "reference": reference,
            "datacoding": "auto",
        }
        if status_callback:
            payload["reportUrl"] = status_callback
        try:
            response = self.session.post(
                API_URL, json=payload, timeout=15,
                headers={"Authorization": f"AccessKey {self.access_key}",
                         "Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise SmsError(f"MessageBird unreachable: {exc}", permanent=False,
                           code="network") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400 or data.get("errors"):
            errors = data.get("errors") or [{}]
            code = errors[0].get("code")
            transient = (
                response.status_code == 429 or response.status_code >= 500 or code == NO_BALANCE
            )
            raise SmsError(
                f"MessageBird {response.status_code} {code}: {errors[0].get('description', '')}",
                permanent=not transient,
                code=str(code or response.status_code),
            )
        items = (data.get("recipients") or {}).get("items") or [{}]
        return SendResult(provider_id=data["id"],
                          status=STATUSES.get(items[0].get("status"), "queued"))

    def verify_request(self, request, url):
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not (self.signing_key and signature):
            return False
        try:
            claims = jwt.decode(
                signature, key=self.signing_key, algorithms=SIGNATURE_ALGORITHMS,
                issuer="MessageBird", leeway=1,
                options={"require": ["iss", "nbf", "exp", "url_hash"], "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            return False
        if not hmac.compare_digest(hashlib.sha256(url.encode()).hexdigest(),
                                   str(claims["url_hash"])):
            return False
        body = request.body
        payload_hash = claims.get("payload_hash")
        if bool(body) != bool(payload_hash):
            return False
        return not body or hmac.compare_digest(hashlib.sha256(body).hexdigest(), payload_hash)

    @staticmethod
    def _params(request):
        params = request.GET.dict()
        params.update(request.POST.dict())
        return params

    def parse_inbound(self, request):
        data = self._params(request)
        sender = data.get("originator", "")
        return InboundSms(
            sender=sender if sender.startswith("+") else f"+{sender}",
            to=data.get("recipient", ""), body=data.get("body", data.get("payload", "")),
            provider_id=data.get("id", ""),
        )

    def parse_status(self, request):
        data = self._params(request)
        return StatusReport(
            provider_id=data.get("id", ""),
            status=STATUSES.get(data.get("status", ""), ""),
            error=data.get("statusErrorCode", "") or data.get("statusReason", ""),
        )
