"""Conversations: a free-text reply waits in the inbox, the coordinator answers from the
thread (once per click, by the person's channel, with the sending rules of every message),
records phone calls, or closes it; the menu counts what waits."""

import threading

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from matching.intake import reach
from notifications import hooks
from notifications.conversations import selectors
from notifications.models import (
    CoordinatorTask,
    Message,
    MessagingSettings,
    OptOut,
    Status,
    TaskKind,
)
from notifications.services import QuestionSpec, sms_receive, sms_send, task_open
from notifications.sms import InboundSms
from notifications.sms.backends import locmem
from organisations.scoping import all_organisations
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.factories_matching import ParticipantFactory
from tests.notifications_helpers import QUESTION

pytestmark = pytest.mark.django_db
PHONE = "+32470123456"


@pytest.fixture
def amina(organisation):
    return ParticipantFactory(organisation=organisation, first_name="Amina", phone=PHONE,
                              message_language="nl")


def url(person):
    return f"/messages/conversation/participant:{person.pk}/"


def ask(person, on_commit):
    with on_commit():
        sms_send(recipient=_recipient(person), template=QUESTION, idempotency_key="ask-1",
                 question=QuestionSpec(purpose="tests.nobody", subject="s:1"))


def _recipient(person):
    return reach.recipient(person)


def writes(body, sid="SM1", sender=PHONE):
    return sms_receive("twilio", InboundSms(sender=sender, to="", body=body, provider_id=sid))


def answer(client, person, text="Geen probleem, beterschap! Sofie", token="t-1", **extra):
    return client.post(url(person), {"action": "answer", "text": text, "token": token,
                                     **extra})


def test_a_free_text_reply_waits_in_the_inbox(coordinator_client, amina, sms_texts,
                                               on_commit):
    ask(amina, on_commit)
    inbound = writes("ik ben ziek, kan niet komen")
    assert inbound.handled_at is None
    assert CoordinatorTask.objects.filter(kind=TaskKind.UNEXPECTED_REPLY).count() == 1
    page = coordinator_client.get("/messages/inbox/").content.decode()
    assert "ik ben ziek, kan niet komen" in page and url(amina) in page
    # The menu counts it on every staff page.
    assert 'class="unread"' in coordinator_client.get("/").content.decode()


def test_an_understood_answer_does_not_wait(organisation, sms_texts, on_commit):
    hooks.register_reply_handler("tests.understood", lambda reply: None)
    try:
        with on_commit():
            sms_send(recipient=_recipient(ParticipantFactory(organisation=organisation,
                                                             phone=PHONE)),
                     template=QUESTION, idempotency_key="ask-2",
                     question=QuestionSpec(purpose="tests.understood", subject="s:2"))
        assert writes("JA").handled_at is not None
    finally:
        hooks._reply_handlers.pop("tests.understood", None)
    assert selectors.inbox_unread_count() == 0


def test_the_answer_goes_out_once_and_settles_the_inbox(coordinator_client, amina,
                                                         sms_texts, on_commit):
    ask(amina, on_commit)
    writes("ik ben ziek, kan niet komen")
    locmem.outbox.clear()
    with on_commit():
        first = answer(coordinator_client, amina)
        again = answer(coordinator_client, amina)  # a double click, or the browser's retry
    assert first.status_code == again.status_code == 302
    assert len(locmem.outbox) == 1
    sms = locmem.outbox[0]
    assert sms.to == PHONE
    assert sms.body.startswith("Samen Op Weg Gent: Geen probleem, beterschap! Sofie")
    sent = Message.objects.get(template="notifications.answer")
    assert (sent.author.username, sent.recipient_key) == ("sofie", f"participant:{amina.pk}")
    assert selectors.inbox_unread_count() == 0
    assert not CoordinatorTask.objects.filter(done_at__isnull=True).exists()
    page = coordinator_client.get(url(amina)).content.decode()
    assert "ik ben ziek, kan niet komen" in page and "written by" in page


@pytest.mark.night
def test_an_answer_during_quiet_hours_waits_unless_the_coordinator_confirms(
        coordinator_client, amina, on_commit):
    writes("Hallo?")
    page = coordinator_client.get(url(amina)).content.decode()
    assert "It is quiet hours now." in page
    with on_commit():
        answer(coordinator_client, amina, token="t-wait")
    waiting = Message.objects.get(idempotency_key="answer:t-wait")
    assert waiting.status == Status.PENDING
    assert timezone.localtime(waiting.not_before).hour == 9
    assert locmem.outbox == []
    with on_commit():
        answer(coordinator_client, amina, token="t-now", send_during_quiet_hours="on")
    now = Message.objects.get(idempotency_key="answer:t-now")
    assert now.during_quiet_hours and now.status == Status.SENT
    assert len(locmem.outbox) == 1


def test_a_number_that_said_stop_gets_no_answer(coordinator_client, amina, on_commit):
    writes("wie bent u?")
    OptOut.objects.create(phone=PHONE)
    with on_commit():
        answer(coordinator_client, amina)
    assert Message.objects.get(template="notifications.answer").status == Status.SUPPRESSED
    assert locmem.outbox == []


def test_an_answer_too_long_or_sensitive_is_refused_and_nothing_changes(
        coordinator_client, amina, sms_texts, on_commit):
    ask(amina, on_commit)
    writes("hallo")
    too_long = answer(coordinator_client, amina, text="Dag Amina, " + "bla " * 150)
    assert too_long.status_code == 400
    assert "SMS segments; at most 3" in too_long.content.decode()
    sensitive = answer(coordinator_client, amina, text="Het OCMW belt je morgen.")
    assert sensitive.status_code == 400 and "Sensitive words" in sensitive.content.decode()
    assert not Message.objects.filter(template="notifications.answer").exists()
    assert selectors.inbox_unread_count() == 1


def test_a_person_reached_by_e_mail_gets_the_answer_by_e_mail(coordinator_client,
                                                              organisation, mailoutbox,
                                                              on_commit):
    person = ParticipantFactory(organisation=organisation, first_name="Jef", phone="",
                                email="jef@example.org", contact_channel="email")
    with on_commit():
        answer(coordinator_client, person, text="Tot donderdag!")
    assert [mail.to for mail in mailoutbox] == [["jef@example.org"]]
    assert "Tot donderdag!" in mailoutbox[0].body


def test_an_unknown_number_can_be_answered(coordinator_client, organisation, sms_texts,
                                           on_commit):
    MessagingSettings.objects.create(organisation=organisation, sms_number="+3292101010")
    sms_receive("twilio", InboundSms(sender="+32499112233", to="+3292101010",
                                     body="Is dit de buddywerking?", provider_id="SM9"))
    key_url = "/messages/conversation/phone:+32499112233/"
    assert "Is dit de buddywerking?" in coordinator_client.get(key_url).content.decode()
    with on_commit():
        coordinator_client.post(key_url, {"action": "answer", "text": "Ja, dat klopt!",
                                          "token": "t-9"})
    assert [sms.to for sms in locmem.outbox] == ["+32499112233"]
    assert not CoordinatorTask.objects.filter(kind=TaskKind.UNKNOWN_SENDER,
                                              done_at__isnull=True).exists()


def test_a_recorded_call_closes_the_call_tasks(coordinator_client, amina):
    task_open(organisation_id=amina.organisation_id, kind=TaskKind.CALL_PREFERRED,
              recipient_key=f"participant:{amina.pk}", first_name="Amina", phone=PHONE)
    for _ in range(2):
        coordinator_client.post(url(amina), {"action": "call", "direction": "out",
                                             "note": "Afspraak verzet naar dinsdag.",
                                             "token": "c-1"})
    call = Message.objects.get(channel="phone")
    assert (call.body, call.direction) == ("Afspraak verzet naar dinsdag.", "out")
    assert not CoordinatorTask.objects.filter(done_at__isnull=True).exists()
    assert "Afspraak verzet naar dinsdag." in coordinator_client.get(url(amina)).content.decode()


def test_a_message_can_be_closed_without_an_answer(coordinator_client, amina, sms_texts,
                                                    on_commit):
    ask(amina, on_commit)
    inbound = writes("Dank je wel!")
    coordinator_client.post(f"/messages/inbox/{inbound.pk}/close/")
    inbound.refresh_from_db()
    assert inbound.handled_by.username == "sofie"
    assert selectors.inbox_unread_count() == 0
    assert "Dank je wel!" in coordinator_client.get("/messages/inbox/?handled=1").content.decode()


def test_another_organisations_conversation_is_not_found(client, amina):
    client.force_login(CoordinatorFactory(organisation=OrganisationFactory()))
    writes("geheim")
    assert client.get(url(amina)).status_code == 404
    assert "geheim" not in client.get("/messages/inbox/").content.decode()


def test_the_thread_and_the_inbox_cost_the_same_queries_for_many_messages(
        coordinator_client, amina, django_assert_max_num_queries):
    for n in range(30):
        writes(f"bericht {n}", sid=f"SM{n}")
    with django_assert_max_num_queries(20):
        assert coordinator_client.get(url(amina)).status_code == 200
    with django_assert_max_num_queries(15):
        assert coordinator_client.get("/messages/inbox/").status_code == 200


def test_the_task_list_links_the_answer(coordinator_client, amina, sms_texts, on_commit):
    ask(amina, on_commit)
    writes("Wanneer komt mijn buddy?")
    assert f'{url(amina)}#answer' in coordinator_client.get("/messages/tasks/").content.decode()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_send_one_answer(organisation):
    coordinator = CoordinatorFactory(organisation=organisation)
    with all_organisations():
        person = ParticipantFactory(organisation=organisation, phone=PHONE)
    barrier, codes = threading.Barrier(2), []

    def click():
        try:
            client = Client()
            client.force_login(coordinator)
            barrier.wait(timeout=10)
            codes.append(answer(client, person, token="same").status_code)
        except Exception as exc:  # noqa: BLE001 - the test shows it
            codes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [302, 302]
    with all_organisations():
        assert Message.objects.filter(template="notifications.answer").count() == 1
    assert len(locmem.outbox) == 1


def test_answers_never_wait_for_the_daily_limit(coordinator_client, amina, on_commit):
    MessagingSettings.objects.create(organisation=amina.organisation, sms_daily_limit=1)
    writes("hallo")
    with on_commit(), time_machine.travel(timezone.now()):
        answer(coordinator_client, amina, token="a")
        answer(coordinator_client, amina, token="b", text="En nog iets.")
    assert len(locmem.outbox) == 2
