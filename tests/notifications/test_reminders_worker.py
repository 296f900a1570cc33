"""Exactly once with a real worker: every batch queued twice (two beats by mistake), the
worker killed part-way (SIGKILL) in the middle of a batch's transaction, a new worker and
the next run of the dispatcher finish the job, and no reminder goes out twice."""

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from notifications.models import Message, SentReminder
from notifications.tasks import reminders_dispatch
from tests.celery_worker import wait_until
from tests.factories_matching import ParticipantFactory

KIND = "reminders.keep_in_touch"
COUNT = 300


@pytest.mark.celery_worker
def test_a_worker_killed_part_way_loses_and_doubles_no_reminder(celery_worker_process,
                                                                organisation):
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    ParticipantFactory.create_batch(COUNT, organisation=organisation, waiting_since=long_ago)

    def claimed():
        return SentReminder.objects.filter(kind=KIND).count()

    assert reminders_dispatch(only={KIND}, batch_size=5) == COUNT
    assert reminders_dispatch(only={KIND}, batch_size=5) == COUNT  # a second beat by mistake
    first = celery_worker_process(concurrency=1)
    assert wait_until(lambda: claimed() >= 40, timeout=120)
    first.kill()
    at_the_kill = claimed()
    assert at_the_kill < COUNT, "the worker finished before the kill: nothing was tested"

    # What the killed worker held is not lost: the next beat asks the database again and
    # queues only what is not claimed; a new worker sends it.
    second = celery_worker_process(concurrency=2)
    reminders_dispatch(only={KIND}, batch_size=5)
    assert wait_until(lambda: claimed() == COUNT, timeout=180)
    assert reminders_dispatch(only={KIND}, batch_size=5) == 0  # nothing due twice
    second.stop()

    per_person = (Message.objects.filter(template=KIND)
                  .values("recipient_key").annotate(n=Count("id")))
    assert len(per_person) == COUNT
    assert {row["n"] for row in per_person} == {1}
    claims = SentReminder.objects.filter(kind=KIND)
    assert claims.values("subject_ref").distinct().count() == COUNT
    assert {m.recipient_key for m in Message.objects.filter(template=KIND)} == {
        c.subject_ref for c in claims}
