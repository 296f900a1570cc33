"""The bulk SMS path (reminders): the same rules as one SMS at a time, in a constant number
of queries whatever the batch size."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import (
    Message,
    MessagingSettings,
    OptOut,
    Question,
    Status,
    TemplateOverride,
)
from notifications.sms.backends import locmem
from tests.factories_matching import ParticipantFactory
from tests.notifications_helpers import QUESTION, recipient

pytestmark = pytest.mark.django_db
DAYTIME = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 12:00 in Brussels
EVENING = datetime(2026, 6, 10, 20, 30, tzinfo=UTC)  # 22:30 in Brussels


@pytest.fixture(autouse=True)
def _texts(sms_texts):
    return sms_texts


def outgoing(organisation, count, start=0, **who):
    return [services.Outgoing(
        recipient=recipient(organisation, key=f"volunteer:{n}", phone=f"+324701{n:05d}",
                            **who),
        idempotency_key=f"bulk:{n}",
        question=services.QuestionSpec(purpose="tests.question", subject=f"volunteer:{n}"))
        for n in range(start, start + count)]


def send_many(organisation, items, on_commit):
    with on_commit():
        return services.sms_send_many(template=QUESTION, messages=items)


@time_machine.travel(DAYTIME, tick=False)
def test_a_batch_is_written_sent_and_asked_once_in_constant_queries(organisation, on_commit):
    with CaptureQueriesContext(connection) as few:
        send_many(organisation, outgoing(organisation, 3), on_commit)
    with CaptureQueriesContext(connection) as many:
        send_many(organisation, outgoing(organisation, 30, start=3), on_commit)
    assert len(many) == len(few)
    assert Message.objects.filter(status=Status.SENT).count() == 33
    assert Question.objects.count() == 33
    assert len(locmem.outbox) == 33
    # The same keys again (a retried batch): nothing new, nothing sent again.
    again = send_many(organisation, outgoing(organisation, 33), on_commit)
    assert len({m.pk for m in again}) == 33
    assert Message.objects.count() == 33 and len(locmem.outbox) == 33


@time_machine.travel(DAYTIME, tick=False)
def test_a_batch_keeps_the_rules_of_one_sms(organisation, on_commit):
    consent_refused = ParticipantFactory(organisation=organisation)
    consent_refused.consents.create(purpose="sms", given=False)
    OptOut.objects.create(phone="+32470100001")
    TemplateOverride.objects.create(organisation=organisation, kind=QUESTION, language="fr",
                                    text="{organisation}: {first_name}, toujours OK? "
                                         "OUI ou NON. {coordinator_phone}")
    items = outgoing(organisation, 3)
    items[2] = services.Outgoing(
        recipient=recipient(organisation, key="volunteer:2", phone="+32470100002",
                            language="fr"), idempotency_key="bulk:2")
    items.append(services.Outgoing(
        recipient=recipient(organisation, key=f"participant:{consent_refused.pk}",
                            phone="+32470100009"), idempotency_key="bulk:9"))
    sent = send_many(organisation, items, on_commit)
    statuses = [Message.objects.get(pk=m.pk).status for m in sent]
    assert statuses == [Status.SENT, Status.SUPPRESSED, Status.SENT, Status.NO_CONSENT]
    assert "toujours OK" in sent[2].body
    assert [sms.to for sms in locmem.outbox] == ["+32470100000", "+32470100002"]


@time_machine.travel(EVENING, tick=False)
def test_a_batch_due_in_quiet_hours_waits_for_the_morning(organisation, on_commit):
    sent = send_many(organisation, outgoing(organisation, 5), on_commit)
    assert {m.not_before for m in sent} == {datetime(2026, 6, 11, 7, 0, tzinfo=UTC)}
    assert locmem.outbox == []
    with time_machine.travel(datetime(2026, 6, 11, 7, 1, tzinfo=UTC), tick=False):
        services.dispatch_due()  # the beat's sweep, in batches
    assert len(locmem.outbox) == 5


@time_machine.travel(DAYTIME, tick=False)
def test_delivery_in_a_batch_counts_the_daily_limit_within_the_batch(organisation):
    MessagingSettings.objects.create(organisation=organisation, sms_daily_limit=2)
    same_person = [services.sms_send(
        recipient=recipient(organisation, phone="+32470123456"), template=QUESTION,
        idempotency_key=f"same:{n}") for n in range(3)]  # queued, not yet delivered
    others = [m for m in services.sms_send_many(
        template=QUESTION, messages=outgoing(organisation, 30))]
    ids = [m.pk for m in [*same_person, *others]]
    with CaptureQueriesContext(connection) as queries:
        services.sms_deliver_many(ids)
    assert len(queries) < 20
    statuses = [Message.objects.get(pk=pk).status for pk in ids]
    assert statuses == [Status.SENT, Status.SENT, Status.PENDING] + [Status.SENT] * 30
    assert Message.objects.get(pk=same_person[2].pk).not_before == datetime(
        2026, 6, 11, 7, 0, tzinfo=UTC)
    services.sms_deliver_many(ids)  # the same batch again: nothing twice
    assert len(locmem.outbox) == 32
