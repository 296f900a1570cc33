from celery import shared_task

from organisations.scoping import all_organisations, organisation_scope

from . import imports
from .models import ImportJob


# The name is the one the task had before matching was split in wings: queued messages and the
# beat schedule know it by that name.
@shared_task(name="matching.tasks.run_import", acks_late=True)
def run_import(job_id: int) -> None:
    """Imports a checked, started spreadsheet; safe to run twice (rows have intake keys)."""
    with all_organisations():
        organisation_id = (ImportJob.objects.filter(pk=job_id)
                           .values_list("organisation_id", flat=True).first())
    if organisation_id is None:
        return
    with organisation_scope(organisation_id):
        imports.import_job_run(job_id)
