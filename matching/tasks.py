from celery import shared_task

from organisations.scoping import all_organisations, organisation_scope

from . import imports
from .models import ImportJob


@shared_task(acks_late=True)
def run_import(job_id: int) -> None:
    """Imports a checked, started spreadsheet; safe to run twice (rows have intake keys)."""
    with all_organisations():
        organisation_id = (ImportJob.objects.filter(pk=job_id)
                           .values_list("organisation_id", flat=True).first())
    if organisation_id is None:
        return
    with organisation_scope(organisation_id):
        imports.import_job_run(job_id)


# Unanswered proposals: reminders, then a call task for the coordinator ---------------------


@shared_task(acks_late=True)
def remind_unanswered_proposals() -> int:
    """Reminds every participant whose proposal is unanswered for N days (per organisation),
    turns proposals unanswered for M days into call tasks, and frees the volunteers of
    proposals whose participant left the project. Safe to run twice."""
    from django.utils import timezone
    from django.utils.translation import gettext

    from . import proposal_selectors, proposals

    today = timezone.localdate()
    done = 0
    with all_organisations():
        for proposal in proposal_selectors.proposals_of_participants_who_left():
            with organisation_scope(proposal.organisation_id):
                proposals.proposal_withdraw(proposal=proposal,
                                            reason=gettext("The participant left the project."))
        for proposal in proposal_selectors.proposals_due_for_call_task(today):
            with organisation_scope(proposal.organisation_id):
                done += proposals.proposal_to_call_task(proposal=proposal)
        for proposal in proposal_selectors.proposals_due_for_reminder(today):
            with organisation_scope(proposal.organisation_id):
                done += proposals.proposal_remind(proposal=proposal)
    return done


@shared_task(acks_late=True)
def withdraw_proposals_of_leavers() -> int:
    """Frees the volunteers of proposals whose participant left the project (the reminders
    of unanswered proposals are kinds of the reminders registry). Safe to run twice."""
    from django.utils.translation import gettext

    from . import proposal_selectors, proposals

    done = 0
    with all_organisations():
        for proposal in proposal_selectors.proposals_of_participants_who_left():
            with organisation_scope(proposal.organisation_id):
                proposals.proposal_withdraw(proposal=proposal,
                                            reason=gettext("The participant left the project."))
                done += 1
    return done
