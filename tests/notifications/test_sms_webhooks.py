"""Inbound SMS and delivery reports: the providers' signatures, every keyword, STOP, HELP,
answers handed to the owning app, and what a coordinator has to follow up."""

import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import jwt
import pytest
import time_machine
from twilio.request_validator import RequestValidator

from notifications import hooks, services
from notifications.models import (
    CoordinatorTask,
    Message,
    MessagingSettings,
    OptOut,
    Question,
    Status,
    TaskKind,
)
from notifications.sms.backends import locmem
from tests.notifications_helpers import QUESTION, recipient

pytestmark = pytest.mark.django_db
TOKEN = "twilio-test-token"
SIGNING_KEY = "messagebird-signing-key-of-32-bytes-or-more"
PHONE = "+32470123456"
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _providers(settings, sms_texts):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.MESSAGEBIRD_SIGNING_KEY = SIGNING_KEY
    settings.SITE_URL = "https://buddy.example.org"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def replies():
    seen = []

    def handler(reply):
        if reply.number == 9:
            raise hooks.ReplyNotUnderstood()
        seen.append(reply)

    hooks.register_reply_handler("tests.question", handler)
    hooks.register_reply_handler("tests.proposal", handler)
    yield seen
    hooks._reply_handlers.pop("tests.question", None)
    hooks._reply_handlers.pop("tests.proposal", None)


def ask(organisation, on_commit, key="ask-1", purpose="tests.question", choices=0,
        accepts=("yes", "no"), phone=PHONE, language="nl"):
    with on_commit():
        return services.sms_send(
            recipient=recipient(organisation, phone=phone, language=language),
            template=QUESTION, idempotency_key=key,
            question=services.QuestionSpec(purpose=purpose, subject="subject:7",
                                           accepts=accepts, choices=choices),
        )


def twilio_post(client, path, params, token=TOKEN):
    url = f"https://buddy.example.org{path}"
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def twilio_sms(client, body, sender=PHONE, sid="SM1", to="+3228080000"):
    return twilio_post(client, "/sms/twilio/inbound/", {
        "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "To": to,
        "Body": body, "NumMedia": "0",
    })


def messagebird_token(url, body: bytes = b"", key=SIGNING_KEY):
    now = int(time.time())
    claims = {"iss": "MessageBird", "nbf": now, "exp": now + 60, "jti": "x",
              "url_hash": hashlib.sha256(url.encode()).hexdigest()}
    if body:
        claims["payload_hash"] = hashlib.sha256(body).hexdigest()
    return jwt.encode(claims, key, algorithm="HS256")


# --- signatures -----------------------------------------------------------------------------


def test_a_twilio_sms_with_the_sdks_signature_is_accepted(client, organisation, on_commit):
    ask(organisation, on_commit)
    response = twilio_sms(client, "ja")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert Message.objects.filter(direction="in", body="ja").exists()


def test_a_bad_twilio_signature_is_refused_and_logged(client, caplog):
    params = {"MessageSid": "SM1", "From": PHONE, "To": "+3228080000", "Body": "STOP"}
    with caplog.at_level(logging.WARNING, logger="notifications.security"):
        wrong_key = twilio_post(client, "/sms/twilio/inbound/", params, token="not-the-token")
        no_signature = client.post("/sms/twilio/inbound/", params)
        signed = RequestValidator(TOKEN).compute_signature(
            "https://buddy.example.org/sms/twilio/inbound/", params)
        tampered = client.post("/sms/twilio/inbound/", {**params, "Body": "JA"},
                               HTTP_X_TWILIO_SIGNATURE=signed)
    assert [r.status_code for r in (wrong_key, no_signature, tampered)] == [403, 403, 403]
    assert Message.objects.count() == 0 and OptOut.objects.count() == 0
    assert len([r for r in caplog.records if "bad signature" in r.getMessage()]) == 3


def test_a_messagebird_sms_with_a_valid_jwt_is_accepted(client, organisation, on_commit):
    ask(organisation, on_commit)
    body = urlencode({"id": "mb1", "originator": PHONE.lstrip("+"), "recipient": "3228080000",
                      "body": "Oui"}).encode()
    url = "https://buddy.example.org/sms/messagebird/inbound/"
    response = client.post("/sms/messagebird/inbound/", body,
                           content_type="application/x-www-form-urlencoded",
                           HTTP_MESSAGEBIRD_SIGNATURE_JWT=messagebird_token(url, body))
    assert response.status_code == 200
    assert Question.objects.get().answer == ""  # no handler registered: a task instead
    assert Message.objects.get(direction="in").phone == PHONE


@pytest.mark.parametrize("tamper", ["body", "url", "key", "expired"])
def test_a_bad_messagebird_signature_is_refused(client, tamper):
    body = urlencode({"id": "mb1", "originator": "32470123456", "body": "STOP"}).encode()
    url = "https://buddy.example.org/sms/messagebird/inbound/"
    token = messagebird_token(
        "https://evil.example.org/sms/messagebird/inbound/" if tamper == "url" else url,
        body, key="another-signing-key-of-32-bytes-or-more" if tamper == "key" else SIGNING_KEY)
    sent = body.replace(b"STOP", b"JA") if tamper == "body" else body
    if tamper == "expired":
        with time_machine.travel(time.time() + 3600):
            response = client.post("/sms/messagebird/inbound/", sent,
                                   content_type="application/x-www-form-urlencoded",
                                   HTTP_MESSAGEBIRD_SIGNATURE_JWT=token)
    else:
        response = client.post("/sms/messagebird/inbound/", sent,
                               content_type="application/x-www-form-urlencoded",
                               HTTP_MESSAGEBIRD_SIGNATURE_JWT=token)
    assert response.status_code == 403
    assert OptOut.objects.count() == 0


def test_an_unknown_provider_is_not_found(client):
    assert client.post("/sms/nexmo/inbound/", {}).status_code == 404


# --- replies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "answer"), [
    ("JA", "yes"), ("ja!", "yes"), ("Oui", "yes"), ("yes", "yes"),
    ("NEE", "no"), ("non.", "no"), (" No ", "no"), ("neen", "no"),
])
def test_yes_and_no_reach_the_app_that_asked(client, organisation, on_commit, replies, text,
                                            answer):
    message = ask(organisation, on_commit)
    twilio_sms(client, text)
    [reply] = replies
    assert (reply.purpose, reply.subject, reply.answer, reply.recipient_key) == (
        "tests.question", "subject:7", answer, "participant:1")
    assert reply.organisation_id == organisation.pk
    question = Question.objects.get(message=message)
    assert question.answer == answer and question.answered_at is not None
    assert CoordinatorTask.objects.count() == 0


@pytest.mark.parametrize("text", ["1", "2", " 3.", "nr 2"])
def test_digits_choose_among_the_numbered_choices(client, organisation, on_commit, replies,
                                                  text):
    ask(organisation, on_commit, purpose="tests.proposal", choices=3, accepts=("none", "call"))
    twilio_sms(client, text)
    assert replies[0].answer == "choice" and 1 <= replies[0].number <= 3


@pytest.mark.parametrize(("text", "answer"), [("geen", "none"), ("Aucun", "none"),
                                              ("bel mij", "call"), ("CALL", "call")])
def test_none_and_call_me_are_answers_where_asked(client, organisation, on_commit, replies,
                                                 text, answer):
    ask(organisation, on_commit, purpose="tests.proposal", choices=3, accepts=("none", "call"))
    twilio_sms(client, text)
    assert replies[0].answer == answer


def test_a_choice_that_does_not_exist_changes_nothing_and_gets_an_answer(
    client, organisation, on_commit, replies
):
    ask(organisation, on_commit, purpose="tests.proposal", choices=3, accepts=())
    locmem.outbox.clear()
    with on_commit():
        twilio_sms(client, "5")
    assert replies == []
    assert Question.objects.get().answered_at is None
    task = CoordinatorTask.objects.get()
    assert (task.kind, task.detail, task.first_name) == (TaskKind.UNEXPECTED_REPLY, "5", "Amina")
    [answer] = locmem.outbox
    assert "09 210 10 10" in answer.body and answer.to == PHONE


def test_an_app_can_refuse_an_answer_it_cannot_take(client, organisation, on_commit, replies):
    ask(organisation, on_commit, purpose="tests.proposal", choices=9, accepts=())
    twilio_sms(client, "9")  # the handler raises ReplyNotUnderstood for 9
    assert Question.objects.get().answered_at is None
    assert CoordinatorTask.objects.get().kind == TaskKind.UNEXPECTED_REPLY


def test_a_digit_finds_the_older_question_that_takes_digits(client, organisation, on_commit,
                                                           replies):
    ask(organisation, on_commit, key="proposal", purpose="tests.proposal", choices=3,
        accepts=())
    ask(organisation, on_commit, key="keep-in-touch")  # later, yes/no only
    twilio_sms(client, "2")
    assert [(r.purpose, r.number) for r in replies] == [("tests.proposal", 2)]
    twilio_sms(client, "ja", sid="SM2")
    assert [r.purpose for r in replies] == ["tests.proposal", "tests.question"]


def test_an_unexpected_reply_becomes_a_coordinator_item(client, organisation, on_commit,
                                                        replies):
    ask(organisation, on_commit)
    twilio_sms(client, "Wie is dit?")
    assert replies == []
    assert CoordinatorTask.objects.get().kind == TaskKind.UNEXPECTED_REPLY


def test_an_answer_after_the_question_expired_is_not_taken(client, organisation, on_commit,
                                                           replies):
    ask(organisation, on_commit)
    with time_machine.travel(NOW + timedelta(days=15), tick=False):
        twilio_sms(client, "ja")
    assert replies == []
    assert CoordinatorTask.objects.get().kind == TaskKind.UNEXPECTED_REPLY


def test_a_provider_retrying_its_webhook_is_taken_once(client, organisation, on_commit,
                                                       replies):
    ask(organisation, on_commit)
    twilio_sms(client, "ja", sid="SMsame")
    twilio_sms(client, "ja", sid="SMsame")
    assert len(replies) == 1
    assert Message.objects.filter(direction="in").count() == 1


def test_an_sms_from_an_unknown_number_becomes_an_item_not_an_error(client, organisation):
    MessagingSettings.objects.create(organisation=organisation, sms_number="+3228080000")
    response = twilio_sms(client, "Hallo, wie is dit?", sender="+32499000111")
    assert response.status_code == 200
    task = CoordinatorTask.objects.get()
    assert (task.kind, task.organisation_id, str(task.phone)) == (
        TaskKind.UNKNOWN_SENDER, organisation.pk, "+32499000111")


def test_an_sms_to_no_known_number_from_nobody_waits_for_a_superuser(client, organisation):
    twilio_sms(client, "Hallo", sender="+32499000111", to="+3200000000")
    task = CoordinatorTask.objects.get()
    assert task.organisation_id is None and task.kind == TaskKind.UNKNOWN_SENDER


# --- STOP and HELP ---------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", "Stop.", "stoppen", "ARRÊT"])
def test_stop_opts_the_number_out_of_every_sms(client, organisation, other_organisation,
                                               on_commit, replies, word):
    ask(organisation, on_commit)
    with on_commit():
        services.sms_send(recipient=recipient(other_organisation, key="volunteer:4",
                                              role="volunteer"),
                          template=QUESTION, idempotency_key="other")
    locmem.outbox.clear()
    with on_commit():
        twilio_sms(client, word)
    assert OptOut.objects.filter(phone=PHONE).exists()
    # Both organisations that write to this number are told to phone instead.
    tasks = CoordinatorTask.objects.filter(kind=TaskKind.CALL_OPTED_OUT)
    assert {t.organisation_id for t in tasks} == {organisation.pk, other_organisation.pk}
    assert Question.objects.get(organisation=organisation).closed_at is not None
    # One confirmation, and then nothing more.
    assert len(locmem.outbox) == 1
    assert Message.objects.get(template=services.STOP_CONFIRMATION).status == Status.SENT
    with on_commit():
        later = services.sms_send(recipient=recipient(organisation), template=QUESTION,
                                  idempotency_key="after-stop")
    assert later.status == Status.SUPPRESSED and len(locmem.outbox) == 1
    assert replies == []


def test_stop_to_a_question_that_takes_it_goes_to_its_app_and_opts_nothing_out(
        client, organisation, on_commit, replies):
    ask(organisation, on_commit, accepts=("any", "stop"))
    with on_commit():
        twilio_sms(client, "Stop")
    assert [reply.answer for reply in replies] == ["stop"]
    assert not OptOut.objects.exists() and not CoordinatorTask.objects.exists()
    with on_commit():  # no such question open now: STOP stops every SMS
        twilio_sms(client, "STOP", sid="SM2")
    assert OptOut.objects.filter(phone=PHONE).exists()


def test_a_question_that_takes_any_reply_gets_free_text_and_numbers_out_of_range(
        client, organisation, on_commit, replies):
    ask(organisation, on_commit, accepts=("any",), choices=4)
    with on_commit():
        twilio_sms(client, "ik weet het niet")
    ask(organisation, on_commit, key="ask-2", accepts=("any",), choices=4)
    with on_commit():
        twilio_sms(client, "7", sid="SM2")
    assert [(reply.answer, reply.number, reply.text) for reply in replies] == [
        (None, None, "ik weet het niet"), ("choice", 7, "7")]
    assert not CoordinatorTask.objects.exists()
    assert set(Question.objects.values_list("answer", flat=True)) == {"any", "7"}
    # HELP still reaches the coordinator.
    ask(organisation, on_commit, key="ask-3", accepts=("any",))
    with on_commit():
        twilio_sms(client, "help", sid="SM3")
    assert CoordinatorTask.objects.get().kind == TaskKind.HELP


def test_the_coordinator_can_lift_an_opt_out_when_the_person_asks(organisation):
    OptOut.objects.create(phone=PHONE)
    services.opt_out_lift(phone="0470 12 34 56")
    assert not OptOut.objects.exists()


@pytest.mark.parametrize("word", ["HELP", "hulp", "Aide!"])
def test_help_answers_at_once_with_the_coordinators_number(client, organisation, on_commit,
                                                           word):
    ask(organisation, on_commit)
    locmem.outbox.clear()
    night = datetime(2026, 6, 10, 21, 30, tzinfo=UTC)  # 23:30 in Brussels
    with time_machine.travel(night, tick=False), on_commit():
        twilio_sms(client, word)
    [answer] = locmem.outbox  # an answer to the person's own SMS is not held till morning
    assert "09 210 10 10" in answer.body and organisation.name in answer.body
    assert CoordinatorTask.objects.get().kind == TaskKind.HELP


# --- delivery reports ------------------------------------------------------------------------


def sent_message(organisation, on_commit, provider_id="SMout"):
    message = ask(organisation, on_commit)
    Message.objects.filter(pk=message.pk).update(provider_id=provider_id, backend="twilio")
    return message


def twilio_status(client, status, sid="SMout", error=""):
    params = {"MessageSid": sid, "MessageStatus": status, "To": PHONE}
    if error:
        params["ErrorCode"] = error
    return twilio_post(client, "/sms/twilio/status/", params)


def test_delivery_reports_move_the_status_forward(client, organisation, on_commit):
    message = sent_message(organisation, on_commit)
    assert twilio_status(client, "delivered").status_code == 200
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    twilio_status(client, "sent")  # arrives late: ignored
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_an_undelivered_sms_to_a_participant_becomes_a_call_task(client, organisation,
                                                                 on_commit, status):
    message = sent_message(organisation, on_commit)
    twilio_status(client, status, error="30003")
    message.refresh_from_db()
    assert message.status == Status.FAILED and "30003" in message.error
    task = CoordinatorTask.objects.get()
    assert (task.kind, task.recipient_key, str(task.phone)) == (
        TaskKind.CALL_UNDELIVERED, "participant:1", PHONE)


def test_a_messagebird_delivery_report_is_verified_and_applied(client, organisation,
                                                               on_commit):
    message = sent_message(organisation, on_commit, provider_id="mb-out")
    query = urlencode({"id": "mb-out", "reference": str(message.pk), "recipient": "32470123456",
                       "status": "delivery_failed", "statusErrorCode": "104"})
    path = f"/sms/messagebird/status/?{query}"
    token = messagebird_token(f"https://buddy.example.org{path}")
    assert client.get(path, HTTP_MESSAGEBIRD_SIGNATURE_JWT=token).status_code == 200
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert client.get(path.replace("delivery_failed", "delivered"),
                      HTTP_MESSAGEBIRD_SIGNATURE_JWT=token).status_code == 403


def test_a_report_for_an_unknown_message_is_ignored(client):
    assert twilio_status(client, "delivered", sid="SMnobody").status_code == 200
