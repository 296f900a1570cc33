"""Thin Celery tasks of the reminders: the beat's dispatcher asks the database what is due
and fans out batches; each batch claims and sends in one transaction. Both are safe to run
twice."""

from celery import shared_task
from django.utils import timezone

from organisations.scoping import all_organisations

from . import registry, services

BATCH_SIZE = 500


def dispatch(now=None, only=None, batch_size=BATCH_SIZE, queue=None) -> int:
    """Queues every reminder due at `now` in batches; returns how many it queued. Memory
    stays flat: the kinds read their rows a keyset page at a time."""
    now = now or timezone.now()
    queued = 0
    for name, kind in registry.KINDS.items():
        if only and name not in only:
            continue
        with all_organisations():
            for batch in registry.batched(kind.due(now), batch_size):
                send_batch.apply_async(([item.as_row() for item in batch],), queue=queue)
                queued += len(batch)
    return queued


@shared_task(name="reminders.dispatch_due")
def dispatch_due() -> int:
    """Every minute: everything whose time has come and that was not sent yet is queued
    (a run that was missed is caught up by the next one)."""
    return dispatch()


@shared_task(name="reminders.send_batch", acks_late=True, reject_on_worker_lost=True)
def send_batch(items: list[list]) -> int:
    """Claims and sends a batch of due reminders in one transaction, each at most once;
    returns how many it sent. A worker lost mid-batch rolls the whole batch back; the
    message goes back to the queue and the next dispatch queues what is unclaimed."""
    return services.reminders_send([registry.Due.from_row(item) for item in items])
