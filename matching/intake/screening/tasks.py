from celery import shared_task

from organisations.scoping import all_organisations

from . import services


@shared_task(name="screening.delete_certificate_copies", acks_late=True)
def delete_certificate_copies() -> int:
    """Deletes the certificate copies whose days are over (daily; safe to run twice)."""
    with all_organisations():
        return services.certificate_copies_delete_due()
