"""The daily retention job: thin, asks what is due per organisation and calls the service."""

from celery import shared_task

from organisations.models import Organisation
from organisations.scoping import all_organisations, organisation_scope

from .privacy import services


@shared_task(name="privacy.anonymise_due")
def anonymise_due() -> int:
    """Anonymises the people whose retention period is over, organisation by organisation;
    people already anonymised are skipped, so running it twice changes nothing more."""
    with all_organisations():
        organisation_ids = list(Organisation.objects.values_list("pk", flat=True))
    done = 0
    for organisation_id in organisation_ids:
        with organisation_scope(organisation_id):
            organisation = Organisation.objects.get(pk=organisation_id)
            done += len(services.retention_apply(organisation=organisation))
    return done
