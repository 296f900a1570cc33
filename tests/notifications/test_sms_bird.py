"""Bird's current API (v1) against its documented wire format, without a network: the
request our client builds is caught at the transport (requests' adapter, as the other
backends' tests do) and answered as Bird answers; its webhooks are signed as the Standard
Webhooks specification says, and a tampered, replayed or unsigned one is refused."""

import base64
import hashlib
import hmac
import json
import logging
import time

import pytest
from django.apps import apps

from notifications import services
from notifications.models import Message, Status
from notifications.sms import SmsError, get_backend
from tests.notifications.test_sms_backends import Provider
from tests.notifications_helpers import QUESTION, recipient

SECRET = "whsec_" + base64.b64encode(b"bird-test-secret-of-32-bytes-long").decode()
INBOUND = "/sms/bird/inbound/"
STATUS = "/sms/bird/status/"


@pytest.fixture
def bird(settings):
    settings.BIRD_API_KEY = "bk_eu_test_key"
    settings.BIRD_API_URL = "https://eu1.platform.bird.com"
    settings.BIRD_SENDER = "+3228080000"
    settings.BIRD_SIGNING_KEY = SECRET
    settings.SITE_URL = "https://buddy.example.org"

    def make(provider):
        backend = get_backend("notifications.sms.backends.bird.SmsBackend")
        backend.session.mount("https://", provider)
        return backend

    return make


def signed(client, path, event, secret=SECRET, timestamp=None, tamper=None):
    body = json.dumps(event).encode()
    webhook_id = "msg_2b8oRgQ0Yw"
    timestamp = str(timestamp or int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    signature = "v1," + base64.b64encode(digest.digest()).decode()
    return client.post(path, tamper or body, content_type="application/json",
                       HTTP_WEBHOOK_ID=webhook_id, HTTP_WEBHOOK_TIMESTAMP=timestamp,
                       HTTP_WEBHOOK_SIGNATURE=signature)


def test_bird_sends_with_a_bearer_key_and_an_idempotency_key(bird):
    provider = Provider(202, {"data": {"id": "sms_4kT01Lq2m", "status": "queued"}})
    result = bird(provider).send(
        to="+32470123456", body="Samen Op Weg: dag Aicha", reference="42",
        status_callback="https://buddy.example.org/sms/bird/status/")
    assert (result.provider_id, result.status) == ("sms_4kT01Lq2m", "queued")
    request = provider.requests[0]
    assert (request.method, request.url) == ("POST", "https://eu1.platform.bird.com/v1/sms")
    assert request.headers["Authorization"] == "Bearer bk_eu_test_key"
    assert request.headers["Idempotency-Key"] == "buddy-sms-42"
    assert json.loads(request.body) == {
        "to": "+32470123456", "from": "+3228080000", "text": "Samen Op Weg: dag Aicha",
        "metadata": {"reference": "42"},
        "webhook_url": "https://buddy.example.org/sms/bird/status/"}


@pytest.mark.parametrize(("status", "permanent"), [
    (400, True), (401, True), (403, True), (422, True),
    (408, False), (409, False), (429, False), (500, False), (503, False)])
def test_bird_errors_say_whether_to_retry(bird, status, permanent):
    provider = Provider(status, {"error": {"code": "invalid_recipient", "message": "no"}})
    with pytest.raises(SmsError) as error:
        bird(provider).send(to="+32470123456", body="x", reference="1")
    assert error.value.permanent is permanent


def test_bird_without_a_key_fails_permanently(settings):
    settings.BIRD_API_KEY = ""
    with pytest.raises(SmsError) as error:
        get_backend("notifications.sms.backends.bird.SmsBackend").send(
            to="+32470123456", body="x", reference="1")
    assert error.value.permanent


@pytest.mark.django_db
def test_a_signed_inbound_sms_answers_the_question(client, bird, organisation, sms_texts,
                                                   on_commit):
    with on_commit():
        services.sms_send(recipient=recipient(organisation), template=QUESTION,
                          idempotency_key="q-1",
                          question=services.QuestionSpec(purpose="tests.bird", subject="s"))
    response = signed(client, INBOUND, {
        "type": "sms.received", "timestamp": "2026-11-17T09:30:00Z",
        "data": {"sms_id": "sms_in_1", "workspace_id": "ws_1", "from": "+32470123456",
                 "to": "+3228080000", "text": "ja"}})
    assert response.status_code == 200
    inbound = Message.objects.get(direction="in")
    assert (inbound.backend, inbound.provider_id, inbound.body) == ("bird", "sms_in_1", "ja")


@pytest.mark.django_db
def test_tampered_replayed_or_unsigned_bird_webhooks_are_refused(client, bird, caplog):
    event = {"type": "sms.received", "data": {"sms_id": "x", "from": "+32470123456",
                                              "to": "+3228080000", "text": "STOP"}}
    with caplog.at_level(logging.WARNING, logger="notifications.security"):
        tampered = signed(client, INBOUND, event, tamper=json.dumps(
            {**event, "data": {**event["data"], "text": "JA"}}).encode())
        wrong_secret = signed(client, INBOUND, event,
                              secret="whsec_" + base64.b64encode(b"another").decode())
        replayed = signed(client, INBOUND, event, timestamp=int(time.time()) - 3600)
        unsigned = client.post(INBOUND, json.dumps(event), content_type="application/json")
    assert [r.status_code for r in (tampered, wrong_secret, replayed, unsigned)] == [403] * 4
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_signed_delivery_report_moves_the_message_on(client, bird, organisation):
    message = Message.objects.create(
        organisation=organisation, direction="out", channel="sms", template="t",
        recipient_key="participant:1", phone="+32470123456", status=Status.SENT,
        backend="bird", provider_id="sms_4kT01Lq2m")
    response = signed(client, STATUS, {
        "type": "sms.delivered", "timestamp": "2026-11-17T09:31:00Z",
        "data": {"sms_id": "sms_4kT01Lq2m", "workspace_id": "ws_1", "to": "+32470123456",
                 "from": "+3228080000"}})
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    signed(client, STATUS, {"type": "sms.undelivered", "data": {
        "sms_id": "sms_4kT01Lq2m", "error": {"code": "unreachable"}}})
    message.refresh_from_db()
    assert message.status == Status.DELIVERED  # never moves back


def test_the_classic_messagebird_backend_warns_at_start_up(settings, caplog):
    settings.SMS_BACKEND = "notifications.sms.backends.messagebird.SmsBackend"
    with caplog.at_level(logging.WARNING, logger="notifications.apps"):
        apps.get_app_config("notifications").ready()
    assert any("31 December 2026" in r.getMessage() for r in caplog.records)
