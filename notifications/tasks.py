"""Thin Celery tasks: they take ids, and are safe to run twice (the message row is claimed
before anything is sent, so a duplicate finds it taken)."""

from celery import shared_task

from . import services


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


@shared_task
def dispatch_due_messages():
    """Every minute: queues the messages whose quiet hours or daily limit have passed."""
    return services.dispatch_due()
