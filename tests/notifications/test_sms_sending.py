"""Sending SMS: once per idempotency key, after quiet hours, within the daily limit, with
retries and back-off, and never to a number that replied STOP."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from notifications import hooks, services
from notifications.models import (
    CoordinatorTask,
    Message,
    MessagingSettings,
    OptOut,
    SignedLink,
    Status,
    TaskKind,
    TemplateOverride,
)
from notifications.sms import SmsError
from notifications.sms.backends import locmem
from tests.notifications_helpers import QUESTION, REMINDER, recipient

pytestmark = pytest.mark.django_db
DAYTIME = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 12:00 in Brussels


def send(on_commit, organisation, key="k1", template=QUESTION, **kwargs):
    with on_commit():
        return services.sms_send(recipient=recipient(organisation, **kwargs.pop("who", {})),
                                 template=template, idempotency_key=key, **kwargs)


@pytest.fixture(autouse=True)
def _texts(sms_texts):
    return sms_texts


@time_machine.travel(DAYTIME, tick=False)
def test_the_same_idempotency_key_sends_one_sms(organisation, on_commit):
    first = send(on_commit, organisation, key="proposal:7")
    second = send(on_commit, organisation, key="proposal:7")
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(locmem.outbox) == 1
    first.refresh_from_db()
    assert first.status == Status.SENT and first.attempts == 1 and first.sent_at


@time_machine.travel(DAYTIME, tick=False)
def test_a_duplicated_task_sends_nothing_more(organisation, on_commit):
    message = send(on_commit, organisation)
    services.sms_deliver(message.pk)
    services.sms_deliver(message.pk)
    assert len(locmem.outbox) == 1


@time_machine.travel(DAYTIME, tick=False)
def test_the_text_names_the_organisation_and_the_coordinators_number(organisation, on_commit):
    send(on_commit, organisation)
    body = locmem.outbox[0].body
    assert organisation.name in body and "09 210 10 10" in body and "Amina" in body


@time_machine.travel(DAYTIME, tick=False)
def test_segments_encoding_and_cost_are_stored(organisation, on_commit, settings):
    settings.SMS_COST_PER_SEGMENT = Decimal("0.10")
    plain = send(on_commit, organisation, key="a")
    assert (plain.encoding, plain.segments) == ("GSM-7", 1)
    # A first name in another script turns the whole SMS into UCS-2: 70 per segment ("ï"
    # would not: it is written "i", tests/notifications/test_sms_names.py).
    accented = send(on_commit, organisation, key="b", who={"first_name": "Ελένη"})
    assert (accented.encoding, accented.segments) == ("UCS-2", 2)
    assert accented.cost == plain.cost * 2


@time_machine.travel(DAYTIME, tick=False)
def test_an_organisation_can_word_the_message_its_own_way(organisation, on_commit):
    TemplateOverride.objects.create(
        organisation=organisation, kind=QUESTION, language="nl",
        text="{organisation}: dag {first_name}! Nog steeds interesse? JA of NEE. "
             "{coordinator_phone}")
    send(on_commit, organisation)
    assert locmem.outbox[0].body.startswith(f"{organisation.name}: dag Amina!")


def test_a_message_due_at_night_waits_for_the_morning(organisation, on_commit):
    evening = datetime(2026, 1, 14, 21, 30, tzinfo=UTC)  # 22:30 in Brussels
    with time_machine.travel(evening, tick=False):
        message = send(on_commit, organisation)
        assert locmem.outbox == []
        message.refresh_from_db()
        assert message.status == Status.PENDING
        assert message.not_before == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 1, 15, 7, 59, tzinfo=UTC), tick=False):
        services.dispatch_due()
        assert locmem.outbox == []
    with time_machine.travel(datetime(2026, 1, 15, 8, 0, tzinfo=UTC), tick=False):
        services.dispatch_due()
        assert len(locmem.outbox) == 1


def test_quiet_hours_hold_across_the_spring_daylight_saving_change(organisation, on_commit):
    # Saturday 28 March 2026, 22:30 CET. Clocks go forward that night.
    with time_machine.travel(datetime(2026, 3, 28, 21, 30, tzinfo=UTC), tick=False):
        send(on_commit, organisation)
    # 08:30 CEST is 06:30 UTC: one hour later than the same wall-clock time in winter.
    with time_machine.travel(datetime(2026, 3, 29, 6, 30, tzinfo=UTC), tick=False):
        services.dispatch_due()
        assert locmem.outbox == []
    with time_machine.travel(datetime(2026, 3, 29, 7, 0, tzinfo=UTC), tick=False):
        services.dispatch_due()
        assert len(locmem.outbox) == 1


def test_a_task_that_runs_during_quiet_hours_postpones_instead_of_sending(
    organisation, on_commit
):
    with time_machine.travel(datetime(2026, 6, 10, 18, 59, tzinfo=UTC), tick=False):
        message = send(on_commit, organisation)  # 20:59: not quiet yet, but not sent now
        Message.objects.filter(pk=message.pk).update(status=Status.PENDING, sent_at=None)
        locmem.outbox.clear()
    with time_machine.travel(datetime(2026, 6, 10, 19, 30, tzinfo=UTC), tick=False):
        services.sms_deliver(message.pk)  # the queue was slow: it is 21:30 now
        assert locmem.outbox == []
        message.refresh_from_db()
        assert message.not_before == datetime(2026, 6, 11, 7, 0, tzinfo=UTC)


def test_organisations_set_their_own_quiet_hours(organisation, on_commit):
    MessagingSettings.objects.create(organisation=organisation,
                                     quiet_hours_start="23:00", quiet_hours_end="07:00")
    with time_machine.travel(datetime(2026, 6, 10, 20, 0, tzinfo=UTC), tick=False):  # 22:00
        send(on_commit, organisation)
        assert len(locmem.outbox) == 1


def test_a_person_gets_at_most_the_daily_limit(organisation, on_commit):
    MessagingSettings.objects.create(organisation=organisation, sms_daily_limit=2)
    with time_machine.travel(DAYTIME, tick=False):
        for key in ("a", "b", "c"):
            send(on_commit, organisation, key=key)
        assert len(locmem.outbox) == 2
        third = Message.objects.get(idempotency_key="c")
        assert third.status == Status.PENDING
        assert third.not_before == datetime(2026, 6, 11, 7, 0, tzinfo=UTC)
        # Someone else still gets theirs.
        send(on_commit, organisation, key="d", who={"key": "p:2", "phone": "+32470999888"})
        assert len(locmem.outbox) == 3
    with time_machine.travel(datetime(2026, 6, 11, 7, 0, tzinfo=UTC), tick=False):
        services.dispatch_due()
        assert len(locmem.outbox) == 4


class FlakyBackend(locmem.SmsBackend):
    failures: list = []

    def send(self, **kwargs):
        if self.failures:
            raise self.failures.pop(0)
        return super().send(**kwargs)


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = []
    return FlakyBackend.failures


def test_a_passing_failure_is_retried_with_back_off(organisation, on_commit, flaky, settings):
    settings.SMS_RETRY_BACKOFF = 30
    flaky.extend([SmsError("timeout", permanent=False), SmsError("503", permanent=False)])
    start = DAYTIME
    with time_machine.travel(start, tick=False):
        message = send(on_commit, organisation)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.PENDING, 1)
        assert message.not_before == start + timedelta(seconds=30)
        assert locmem.outbox == []
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        services.sms_deliver(message.pk)  # the task's own retry
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.PENDING, 2)
        assert message.not_before == start + timedelta(seconds=31 + 60)
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        services.sms_deliver(message.pk)
        services.sms_deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(locmem.outbox) == 1
    assert CoordinatorTask.objects.count() == 0


@time_machine.travel(DAYTIME, tick=False)
def test_a_lost_retry_is_picked_up_by_the_sweep(organisation, on_commit, flaky):
    flaky.append(SmsError("timeout", permanent=False))
    message = send(on_commit, organisation)
    assert services.dispatch_due() == 0  # its own retry is still expected
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert services.dispatch_due() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and len(locmem.outbox) == 1


@pytest.fixture
def deliveries():
    seen = []
    hooks.register_delivery_handler("tests.", seen.append)
    yield seen
    hooks._delivery_handlers[:] = [h for h in hooks._delivery_handlers if h[0] != "tests."]


@time_machine.travel(DAYTIME, tick=False)
def test_an_invalid_number_fails_at_once_and_the_coordinator_is_asked_to_call(
    organisation, on_commit, flaky, deliveries
):
    flaky.append(SmsError("Twilio 400 21211: invalid To", permanent=True))
    message = send(on_commit, organisation)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    task = CoordinatorTask.objects.get()
    assert (task.kind, task.recipient_key, task.first_name) == (
        TaskKind.CALL_UNDELIVERED, "participant:1", "Amina")
    assert [(d.template, d.status) for d in deliveries] == [(QUESTION, Status.FAILED)]


@time_machine.travel(DAYTIME, tick=False)
def test_retries_stop_after_the_last_attempt(organisation, on_commit, flaky, settings):
    settings.SMS_MAX_ATTEMPTS = 2
    flaky.extend([SmsError("503", permanent=False)] * 3)
    message = send(on_commit, organisation)
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        services.sms_deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert CoordinatorTask.objects.filter(kind=TaskKind.CALL_UNDELIVERED).count() == 1


@time_machine.travel(DAYTIME, tick=False)
def test_a_volunteers_failed_sms_makes_no_call_task(organisation, on_commit, flaky):
    flaky.append(SmsError("invalid", permanent=True))
    send(on_commit, organisation, who={"role": "volunteer", "key": "volunteer:1"})
    assert CoordinatorTask.objects.count() == 0


@time_machine.travel(DAYTIME, tick=False)
def test_no_sms_goes_to_a_number_that_replied_stop(organisation, on_commit, deliveries):
    OptOut.objects.create(phone="+32470123456")
    message = send(on_commit, organisation)
    assert locmem.outbox == []
    message.refresh_from_db()
    assert message.status == Status.SUPPRESSED
    assert CoordinatorTask.objects.get().kind == TaskKind.CALL_OPTED_OUT
    assert deliveries[0].status == Status.SUPPRESSED


@time_machine.travel(DAYTIME, tick=False)
def test_a_link_in_an_sms_is_stored_only_as_a_hash(organisation, on_commit):
    message = send(on_commit, organisation, template=REMINDER,
                   link=services.LinkSpec(purpose="tests.page", subject="duo:3"))
    sent = locmem.outbox[0].body
    url = next(word for word in sent.split() if "/s/" in word)
    secret = url[-22:]
    message.refresh_from_db()
    assert secret not in message.body and "*" * 22 in message.body
    assert message.segments == 1
    link = SignedLink.objects.get()
    assert secret not in link.secret_hash
    assert (link.purpose, link.subject, link.recipient_key) == ("tests.page", "duo:3",
                                                                "participant:1")
    found, _parts = services.link_resolve(url.rsplit("/", 1)[1])
    assert found == link


@time_machine.travel(DAYTIME, tick=False)
def test_a_worker_that_died_while_sending_is_not_followed_by_a_second_send(
    organisation, on_commit, settings
):
    settings.SMS_BACKEND = "notifications.sms.backends.console.SmsBackend"
    message = send(on_commit, organisation)
    # As if the worker had been killed after taking the message, before recording it.
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING,
                                                 status_at=timezone.now())
    settings.SMS_BACKEND = "notifications.sms.backends.locmem.SmsBackend"
    services.dispatch_due()
    assert Message.objects.get(pk=message.pk).status == Status.SENDING
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        services.dispatch_due()
    message.refresh_from_db()
    assert message.status == Status.FAILED and locmem.outbox == []
    assert CoordinatorTask.objects.get().kind == TaskKind.CALL_UNDELIVERED


def test_a_backend_result_is_recorded(organisation, on_commit, settings):
    with time_machine.travel(DAYTIME, tick=False):
        message = send(on_commit, organisation)
    message.refresh_from_db()
    assert message.backend == "locmem" and message.provider_id.startswith("locmem-")


def test_a_number_nobody_can_reach_is_refused_before_anything_is_stored(organisation):
    with pytest.raises(ValueError):
        services.sms_send(recipient=recipient(organisation, phone="12"), template=QUESTION,
                          idempotency_key="x")
    assert Message.objects.count() == 0
