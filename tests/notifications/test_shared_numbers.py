"""One phone number in two organisations (a family's phone, a shelter's number): a reply
answers the open question of the organisation that last asked that number, and never the
other organisation's; when both have an open question, both get a task and neither
question is answered."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications import hooks, services
from notifications.models import CoordinatorTask, Message, Question, TaskKind
from notifications.sms import InboundSms
from organisations.scoping import organisation_scope
from tests.notifications_helpers import QUESTION, recipient

pytestmark = pytest.mark.django_db
PHONE = "+32470123456"


@pytest.fixture
def answers(sms_texts):
    seen = []
    hooks.register_reply_handler("tests.shared", seen.append)
    yield seen
    hooks._reply_handlers.pop("tests.shared", None)


def ask(organisation, on_commit, key, person):
    with on_commit():
        return services.sms_send(
            recipient=recipient(organisation, key=person, phone=PHONE), template=QUESTION,
            idempotency_key=key,
            question=services.QuestionSpec(purpose="tests.shared", subject=key))


def reply(body, sid):
    return services.sms_receive("twilio", InboundSms(sender="0470 12 34 56", to="",
                                                     body=body, provider_id=sid))


def test_a_reply_answers_the_organisation_that_last_asked(organisation, other_organisation,
                                                         answers, on_commit):
    ask(organisation, on_commit, "gent-1", "participant:1")
    Question.objects.update(answered_at=timezone.now(), answer="yes")  # answered before
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        ask(other_organisation, on_commit, "antwerpen-1", "participant:9")
        reply("ja", "SM1")
    assert [(a.organisation_id, a.subject) for a in answers] == [
        (other_organisation.pk, "antwerpen-1")]
    inbound = Message.objects.get(direction="in")
    assert (inbound.organisation_id, inbound.recipient_key) == (
        other_organisation.pk, "participant:9")


def test_a_later_message_of_another_organisation_does_not_take_the_answer(
        organisation, other_organisation, answers, on_commit):
    ask(organisation, on_commit, "gent-1", "participant:1")
    with on_commit(), time_machine.travel(timezone.now() + timedelta(hours=1)):
        # The other organisation wrote later, but asked nothing.
        services.sms_send(recipient=recipient(other_organisation, key="participant:9",
                                              phone=PHONE),
                          template=QUESTION, idempotency_key="antwerpen-news")
        reply("JA", "SM1")
    assert [(a.organisation_id, a.subject) for a in answers] == [(organisation.pk, "gent-1")]


def test_two_organisations_with_an_open_question_both_get_a_task_and_none_is_answered(
        organisation, other_organisation, answers, on_commit):
    ask(organisation, on_commit, "gent-1", "participant:1")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        ask(other_organisation, on_commit, "antwerpen-1", "participant:9")
        reply("ja", "SM1")
        reply("ja", "SM1")  # the provider retried its webhook
    assert answers == []
    assert not Question.objects.filter(answered_at__isnull=False).exists()
    tasks = CoordinatorTask.objects.filter(kind=TaskKind.SHARED_NUMBER)
    assert sorted((t.organisation_id, t.recipient_key) for t in tasks) == sorted(
        [(organisation.pk, "participant:1"), (other_organisation.pk, "participant:9")])
    # Each organisation logs the reply in its own log, and sees only its own.
    for each, person in ((organisation, "participant:1"), (other_organisation, "participant:9")):
        with organisation_scope(each.pk):
            assert list(Message.objects.filter(direction="in").values_list(
                "recipient_key", "body")) == [(person, "ja")]
    # Nothing automatic goes back: two coordinators will call.
    assert not Message.objects.filter(direction="out", template__startswith="notifications.")


def test_stop_from_a_shared_number_still_stops_every_sms(organisation, other_organisation,
                                                         answers, on_commit):
    ask(organisation, on_commit, "gent-1", "participant:1")
    ask(other_organisation, on_commit, "antwerpen-1", "participant:9")
    reply("STOP", "SM1")
    assert not Question.objects.filter(closed_at__isnull=True).exists()
    assert CoordinatorTask.objects.filter(kind=TaskKind.CALL_OPTED_OUT).count() == 2
