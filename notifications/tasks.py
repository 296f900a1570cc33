"""Thin Celery tasks: they take ids, and are safe to run twice (the message row is claimed
before anything is sent, so a duplicate finds it taken)."""

from celery import shared_task
from django.utils import timezone

from organisations.scoping import all_organisations

from . import reminders, services
from .groups import services as groups


def _retry_later(task, delay):
    # Run in the caller's process (eager: tests, debugging), a retry would run at once and
    # raise into the caller; the message waits for the beat's sweep instead.
    if delay is not None and not task.request.is_eager:
        raise task.retry(countdown=delay)


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_sms(self, message_id: int):
    """Sends one SMS; retried with exponential back-off while the provider fails for a
    reason that may pass (the number of tries is capped by SMS_MAX_ATTEMPTS)."""
    _retry_later(self, services.sms_deliver(message_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_sms_batch(message_ids: list[int]):
    """Sends a batch of SMS, each at most once; one the provider refused for a reason that
    may pass waits for its back-off and is picked up again by the beat's sweep."""
    services.sms_deliver_many(message_ids)


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_email(self, message_id: int):
    """Sends one e-mail; retried like an SMS."""
    _retry_later(self, services.email_deliver(message_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_group_message(group_id: int):
    """Writes a group message's SMS and e-mails a chunk at a time until done or cancelled;
    safe to run twice (each person has one idempotency key)."""
    return groups.group_message_deliver(group_id)


@shared_task
def dispatch_due_messages():
    """Every minute: queues the messages whose quiet hours or daily limit have passed."""
    return services.dispatch_due()


# Reminders: the beat's dispatcher asks the database what is due and fans out batches; each
# batch claims and sends in one transaction. Both are safe to run twice. Their names are
# those of the former `reminders` app: queued tasks and the beat's rows still resolve.

REMINDER_BATCH_SIZE = 500


def reminders_dispatch(now=None, only=None, batch_size=REMINDER_BATCH_SIZE, queue=None) -> int:
    """Queues every reminder due at `now` in batches; returns how many it queued. Memory
    stays flat: the kinds read their rows a keyset page at a time."""
    now = now or timezone.now()
    queued = 0
    for name, kind in reminders.KINDS.items():
        if only and name not in only:
            continue
        with all_organisations():
            for batch in reminders.batched(kind.due(now), batch_size):
                reminders_send_batch.apply_async(([item.as_row() for item in batch],),
                                                 queue=queue)
                queued += len(batch)
    return queued


@shared_task(name="reminders.dispatch_due")
def reminders_dispatch_due() -> int:
    """Every minute: everything whose time has come and that was not sent yet is queued
    (a run that was missed is caught up by the next one)."""
    return reminders_dispatch()


@shared_task(name="reminders.send_batch", acks_late=True, reject_on_worker_lost=True)
def reminders_send_batch(items: list[list]) -> int:
    """Claims and sends a batch of due reminders in one transaction, each at most once;
    returns how many it sent. A worker lost mid-batch rolls the whole batch back; the
    message goes back to the queue and the next dispatch queues what is unclaimed."""
    return reminders.reminders_send([reminders.Due.from_row(item) for item in items])
