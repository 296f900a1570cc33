from celery import shared_task
from django.utils.translation import gettext

from organisations.scoping import all_organisations, organisation_scope

from .selectors import proposals_of_participants_who_left
from .services import proposal_withdraw


# The name is the one the task had before matching was split in wings (the beat schedule's).
@shared_task(name="matching.tasks.withdraw_proposals_of_leavers", acks_late=True)
def withdraw_proposals_of_leavers() -> int:
    """Frees the volunteers of proposals whose participant left the project (the reminders
    of unanswered proposals are kinds of the reminders registry). Safe to run twice."""
    done = 0
    with all_organisations():
        for proposal in proposals_of_participants_who_left():
            with organisation_scope(proposal.organisation_id):
                proposal_withdraw(proposal=proposal,
                                  reason=gettext("The participant left the project."))
                done += 1
    return done
