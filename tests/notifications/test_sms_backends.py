"""Each SMS backend against its provider's real request format, without a network: the
HTTP requests the official SDK (Twilio) or our client (MessageBird) builds are caught at
the transport and answered as the provider answers."""

import io
import json
from base64 import b64decode
from urllib.parse import parse_qs

import pytest
import requests
from requests.adapters import BaseAdapter

from notifications.sms import SmsError, get_backend
from notifications.sms.backends import locmem
from notifications.sms.backends.console import SmsBackend


class Provider(BaseAdapter):
    """A requests transport that records each request and answers with a canned response."""

    def __init__(self, status=201, body=None, error=None):
        super().__init__()
        self.requests: list[requests.PreparedRequest] = []
        self.status, self.body, self.error = status, body or {}, error

    def send(self, request, **kwargs):
        self.requests.append(request)
        if self.error:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response._content = json.dumps(self.body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


@pytest.fixture
def twilio(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    settings.TWILIO_FROM_NUMBER = "+3228080000"

    def make(provider):
        backend = get_backend("notifications.sms.backends.twilio.SmsBackend")
        backend.client.http_client.session.mount("https://", provider)
        return backend

    return make


@pytest.fixture
def messagebird(settings):
    settings.MESSAGEBIRD_ACCESS_KEY = "live_test_key"
    settings.MESSAGEBIRD_ORIGINATOR = "Buddy"

    def make(provider):
        backend = get_backend("notifications.sms.backends.messagebird.SmsBackend")
        backend.session.mount("https://", provider)
        return backend

    return make


def test_twilio_sends_the_messages_resource_request(twilio):
    provider = Provider(201, {"sid": "SM" + "a" * 32, "status": "queued"})
    result = twilio(provider).send(
        to="+32470123456", body="Samen Op Weg: héllo", reference="42",
        status_callback="https://buddy.example.org/sms/twilio/status/",
    )
    assert (result.provider_id, result.status) == ("SM" + "a" * 32, "queued")
    request = provider.requests[0]
    assert request.method == "POST"
    assert request.url == (
        "https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 + "/Messages.json")
    form = parse_qs(request.body)
    assert form == {
        "To": ["+32470123456"], "From": ["+3228080000"], "Body": ["Samen Op Weg: héllo"],
        "StatusCallback": ["https://buddy.example.org/sms/twilio/status/"],
    }
    scheme, credentials = request.headers["Authorization"].split()
    assert scheme == "Basic"
    assert b64decode(credentials).decode() == "AC" + "0" * 32 + ":twilio-test-token"


def test_twilio_sends_from_the_organisations_own_number(twilio):
    provider = Provider(201, {"sid": "SM1", "status": "queued"})
    twilio(provider).send(to="+32470123456", body="x", reference="1", sender="+3292101010")
    assert parse_qs(provider.requests[0].body)["From"] == ["+3292101010"]


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [(400, 21211, True), (400, 21610, True), (400, 21614, True), (401, 20003, True),
     (429, 20429, False), (500, 20500, False), (503, 20503, False)],
)
def test_twilio_errors_say_whether_to_retry(twilio, status, code, permanent):
    provider = Provider(status, {"code": code, "message": "error", "status": status})
    with pytest.raises(SmsError) as error:
        twilio(provider).send(to="+32470123456", body="x", reference="1")
    assert error.value.permanent is permanent
    assert error.value.code == str(code)


def test_twilio_unreachable_is_worth_a_retry(twilio):
    provider = Provider(error=requests.ConnectionError("connection refused"))
    with pytest.raises(SmsError) as error:
        twilio(provider).send(to="+32470123456", body="x", reference="1")
    assert error.value.permanent is False


def test_twilio_without_credentials_fails_permanently(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(SmsError) as error:
        get_backend("notifications.sms.backends.twilio.SmsBackend").send(
            to="+32470123456", body="x", reference="1")
    assert error.value.permanent


def test_messagebird_sends_the_messages_resource_request(messagebird):
    provider = Provider(201, {
        "id": "e8077d803532c0b5937c639b60216938", "reference": "42",
        "recipients": {"totalCount": 1, "items": [{"recipient": 31612345678,
                                                   "status": "sent"}]},
    })
    result = messagebird(provider).send(
        to="+31612345678", body="Maatjes: dag Fatima", reference="42",
        status_callback="https://buddy.example.org/sms/messagebird/status/",
    )
    assert (result.provider_id, result.status) == ("e8077d803532c0b5937c639b60216938", "sent")
    request = provider.requests[0]
    assert (request.method, request.url) == ("POST", "https://rest.messagebird.com/messages")
    assert request.headers["Authorization"] == "AccessKey live_test_key"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "originator": "Buddy", "recipients": ["31612345678"], "body": "Maatjes: dag Fatima",
        "reference": "42", "datacoding": "auto",
        "reportUrl": "https://buddy.example.org/sms/messagebird/status/",
    }


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [(422, 9, True), (422, 10, True), (401, 2, True), (405, 25, False), (500, 99, False),
     (503, None, False)],
)
def test_messagebird_errors_say_whether_to_retry(messagebird, status, code, permanent):
    body = {"errors": [{"code": code, "description": "error", "parameter": "recipients"}]}
    provider = Provider(status, body if code else {})
    with pytest.raises(SmsError) as error:
        messagebird(provider).send(to="+31612345678", body="x", reference="1")
    assert error.value.permanent is permanent


def test_messagebird_unreachable_is_worth_a_retry(messagebird):
    provider = Provider(error=requests.Timeout("read timed out"))
    with pytest.raises(SmsError) as error:
        messagebird(provider).send(to="+31612345678", body="x", reference="1")
    assert error.value.permanent is False


def test_the_console_backend_prints_and_sends_nothing():
    stream = io.StringIO()
    result = SmsBackend(stream=stream).send(to="+32470123456", body="Dag Els", reference="9")
    assert "+32470123456" in stream.getvalue() and "Dag Els" in stream.getvalue()
    assert result.provider_id.startswith("console-")


def test_the_locmem_backend_keeps_an_outbox():
    locmem.SmsBackend().send(to="+32470123456", body="Dag Els", reference="9")
    assert [(s.to, s.body) for s in locmem.outbox] == [("+32470123456", "Dag Els")]
