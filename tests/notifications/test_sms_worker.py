"""Idempotent retries with a real Celery worker on the configured broker (Redis in CI)."""

import pytest

from notifications import services
from notifications.models import Message, Status
from notifications.tasks import deliver_sms
from tests.celery_worker import wait_until
from tests.notifications_helpers import recipient


@pytest.mark.celery_worker
def test_a_real_worker_retries_failures_and_sends_each_sms_once(
    celery_worker_process, organisation, tmp_path, monkeypatch
):
    sent_file = tmp_path / "sent.txt"
    monkeypatch.setenv("BUDDY_TEST_SMS_BACKEND", "tests.sms_file_backend.SmsBackend")
    monkeypatch.setenv("BUDDY_TEST_SMS_FILE", str(sent_file))
    celery_worker_process(concurrency=1)

    def send(key, phone):
        # An answer to HELP goes out at once, day or night: the test does not depend on
        # the hour it runs at.
        return services.sms_send(
            recipient=recipient(organisation, key=f"participant:{key}", phone=phone),
            template=services.HELP_REPLY, idempotency_key=f"worker-{key}",
        )

    messages = [send(n, f"+3247012340{n}") for n in range(4)]
    for message in messages:  # a duplicated task for each, queued at once
        deliver_sms.delay(message.pk)
        deliver_sms.delay(message.pk)
    assert wait_until(
        lambda: Message.objects.filter(pk__in=[m.pk for m in messages],
                                       status=Status.SENT).count() == 4, timeout=120)
    # More duplicates after the fact, then one last message: with one worker taking one
    # task at a time, once that one is sent every duplicate before it has run.
    for message in messages:
        deliver_sms.delay(message.pk)
    last = send(9, "+32470123499")
    assert wait_until(lambda: Message.objects.get(pk=last.pk).status == Status.SENT,
                      timeout=120)

    sent = sent_file.read_text().split()
    assert sorted(sent) == sorted(str(m.pk) for m in [*messages, last])
    tries = sent_file.with_suffix(".tries").read_text().split()
    assert all(tries.count(str(m.pk)) == 2 for m in [*messages, last])
    for message in messages:
        message.refresh_from_db()
        assert message.attempts == 2 and message.provider_id == f"file-{message.pk}-2"
