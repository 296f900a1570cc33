from celery import shared_task
from django.utils.translation import gettext

from organisations.scoping import all_organisations, organisation_scope

from . import services
from .models import ProposalRound
from .selectors import proposals_of_participants_who_left


# The name is the one the task had before matching was split in wings (the beat schedule's).
@shared_task(name="matching.tasks.withdraw_proposals_of_leavers", acks_late=True)
def withdraw_proposals_of_leavers() -> int:
    """Frees the volunteers of proposals whose participant left the project (the reminders
    of unanswered proposals are kinds of the reminders registry). Safe to run twice."""
    done = 0
    with all_organisations():
        for proposal in proposals_of_participants_who_left():
            with organisation_scope(proposal.organisation_id):
                services.proposal_withdraw(proposal=proposal,
                                           reason=gettext("The participant left the project."))
                done += 1
    return done


@shared_task(name="matching.prepare_round", acks_late=True)
def prepare_round(round_id: int) -> None:
    """Prepares a proposal round in the background (`services.round_prepare`): progress on
    its page, cancellable. Safe to run twice."""
    with all_organisations():
        organisation_id = (ProposalRound.objects.filter(pk=round_id)
                           .values_list("organisation_id", flat=True).first())
    if organisation_id is None:
        return
    with organisation_scope(organisation_id):
        services.round_prepare(round_id)
