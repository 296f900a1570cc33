"""WhatsApp through Twilio: a message the organisation starts is an approved template in
the person's language; free text only in the 24 hours after they wrote; SMS once when
WhatsApp cannot reach them; their replies answer questions as SMS replies do."""

import json
from urllib.parse import parse_qs

import pytest
from twilio.request_validator import RequestValidator

from matching.intake import reach
from notifications import hooks, services
from notifications.models import Message, Question, Status
from notifications.sms import StatusReport, get_backend
from notifications.sms.backends import locmem
from tests.factories_matching import ParticipantFactory
from tests.notifications.test_sms_backends import Provider

PHONE = "+32470123456"
TOKEN = "twilio-test-token"


@pytest.fixture(autouse=True)
def _whatsapp(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WHATSAPP_FROM = "+3228080000"
    settings.TWILIO_WHATSAPP_TEMPLATES = {"buddy_keep_in_touch:nl": "HX" + "1" * 32}
    settings.SITE_URL = "https://buddy.example.org"
    yield
    locmem.not_on_whatsapp.clear()


@pytest.fixture
def amina(organisation):
    return ParticipantFactory(organisation=organisation, first_name="Amina", phone=PHONE,
                              message_language="nl", contact_channel="whatsapp")


def keep_in_touch(person, on_commit, key="kit-1"):
    with on_commit():
        return reach.reach(person, kind="reminders.keep_in_touch", key=key,
                           question=services.QuestionSpec(purpose="tests.wa",
                                                          subject="s:1"))


def twilio_inbound(client, body, sid="SMwa1"):
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"whatsapp:{PHONE}",
              "To": "whatsapp:+3228080000", "Body": body, "NumMedia": "0"}
    url = "https://buddy.example.org/sms/twilio/inbound/"
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_twilio_sends_a_template_with_its_content_sid_and_variables(settings):
    provider = Provider(201, {"sid": "MM" + "a" * 32, "status": "queued"})
    backend = get_backend("notifications.sms.backends.twilio.SmsBackend")
    backend.client.http_client.session.mount("https://", provider)
    result = backend.send_whatsapp(to=PHONE, body="(log)", reference="7",
                                   content_sid="HX" + "1" * 32,
                                   variables={"1": "Samen Op Weg", "2": "Amina"})
    assert result.provider_id == "MM" + "a" * 32
    form = parse_qs(provider.requests[0].body)
    assert form["To"] == [f"whatsapp:{PHONE}"] and form["From"] == ["whatsapp:+3228080000"]
    assert form["ContentSid"] == ["HX" + "1" * 32]
    assert json.loads(form["ContentVariables"][0]) == {"1": "Samen Op Weg", "2": "Amina"}
    assert "Body" not in form
    free = Provider(201, {"sid": "MM2", "status": "queued"})
    backend.client.http_client.session.mount("https://", free)
    backend.send_whatsapp(to=PHONE, body="Tot morgen!", reference="8")
    assert parse_qs(free.requests[0].body)["Body"] == ["Tot morgen!"]


@pytest.mark.django_db
def test_a_message_we_start_is_the_approved_template_in_their_language(amina, on_commit):
    message = keep_in_touch(amina, on_commit)
    message.refresh_from_db()
    assert (message.channel, message.status) == ("whatsapp", Status.SENT)
    [sent] = locmem.outbox
    assert (sent.channel, sent.content_sid) == ("whatsapp", "HX" + "1" * 32)
    assert sent.variables == {"1": "Samen Op Weg Gent", "2": "Amina",
                              "3": amina.organisation.contact_phone.as_national
                              if amina.organisation.contact_phone else ""}


@pytest.mark.django_db
def test_no_template_in_their_language_goes_by_sms(amina, on_commit):
    amina.message_language = "fr"
    amina.save()
    message = keep_in_touch(amina, on_commit)
    assert message.channel == "sms"
    assert [sms.channel for sms in locmem.outbox] == ["sms"]


@pytest.mark.django_db
def test_no_whatsapp_on_the_number_falls_back_to_sms_once(amina, on_commit):
    locmem.not_on_whatsapp.add(PHONE)
    whatsapp = keep_in_touch(amina, on_commit)
    whatsapp.refresh_from_db()
    assert whatsapp.status == Status.FAILED and "63003" in whatsapp.error
    services.sms_deliver(whatsapp.pk)  # a duplicated task changes nothing
    assert [sms.channel for sms in locmem.outbox] == ["sms"]
    sms = Message.objects.get(channel="sms")
    assert sms.idempotency_key == f"{whatsapp.idempotency_key}:sms"
    # One question is open for the number: an SMS reply answers it.
    assert list(Question.objects.filter(closed_at__isnull=True).values_list(
        "message_id", flat=True)) == [whatsapp.pk]


@pytest.mark.django_db
def test_a_failed_delivery_report_falls_back_to_sms_once(amina, on_commit):
    whatsapp = keep_in_touch(amina, on_commit)
    whatsapp.refresh_from_db()
    report = StatusReport(provider_id=whatsapp.provider_id, status=Status.FAILED,
                          error="63016")
    with on_commit():
        services.sms_status_update(report)
        services.sms_status_update(report)
    assert [sms.channel for sms in locmem.outbox] == ["whatsapp", "sms"]


@pytest.mark.django_db
def test_a_whatsapp_reply_answers_the_question_and_opens_the_free_text_window(
        client, amina, on_commit, coordinator_client):
    seen = []
    hooks.register_reply_handler("tests.wa", seen.append)
    try:
        keep_in_touch(amina, on_commit)
        assert twilio_inbound(client, "JA").status_code == 200
    finally:
        hooks._reply_handlers.pop("tests.wa", None)
    assert [(reply.answer, reply.subject) for reply in seen] == [("yes", "s:1")]
    assert Message.objects.get(direction="in").channel == "whatsapp"
    twilio_inbound(client, "Mag ik iets vragen?", sid="SMwa2")
    with on_commit():
        coordinator_client.post(f"/messages/conversation/participant:{amina.pk}/",
                                {"action": "answer", "text": "Natuurlijk!", "token": "wa"})
    answer = locmem.outbox[-1]
    assert (answer.channel, answer.content_sid) == ("whatsapp", "")
    assert answer.body.startswith("Samen Op Weg Gent: Natuurlijk!")


@pytest.mark.django_db
def test_free_text_outside_the_window_goes_by_sms(amina, coordinator_client, on_commit):
    with on_commit():
        coordinator_client.post(f"/messages/conversation/participant:{amina.pk}/",
                                {"action": "answer", "text": "Hallo Amina", "token": "wa2"})
    assert [sms.channel for sms in locmem.outbox] == ["sms"]
