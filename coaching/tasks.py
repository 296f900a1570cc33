"""Thin Celery tasks of coaching: they ask the database what is due and call a service."""

from celery import shared_task

from organisations.models import Organisation
from organisations.scoping import all_organisations, organisation_scope

from . import services


@shared_task(name="coaching.send_session_reminders")
def send_session_reminders() -> int:
    """Reminds invitees with a seat or a maybe of sessions starting within their
    organisation's reminder days; each is reminded once, so running it twice is safe."""
    with all_organisations():
        organisations = list(Organisation.objects.filter(is_active=True))
    sent = 0
    for organisation in organisations:
        with organisation_scope(organisation):
            sent += len(services.reminders_send(organisation=organisation))
    return sent
