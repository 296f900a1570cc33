"""Every message matching sends, in one place: functions taking ids.

For now an honest placeholder: each function logs at INFO what would be sent and returns
None. When the notifications app lands, each will call `notifications.services`
(`sms_send` / `email_send` with a template per language, a signed link instead of
`matching.tokens`, and an idempotency key such as `proposal-<id>-sent`, so that a retry
never sends twice). The services call these functions after their transaction commits
(`transaction.on_commit`), so a rolled-back change never sends anything.

The placeholder logs the link, as the console SMS backend would print it: on a laptop
that is how a developer opens the participant's page.
"""

import logging

from django.conf import settings
from django.urls import reverse

logger = logging.getLogger("matching.messaging")


def _link(name: str, token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])


def send_proposal_to_participant(proposal_id: int) -> None:
    """SMS (or e-mail) to the participant: a proposal is waiting, with their personal link."""
    from .proposals import proposal_issue_link

    token = proposal_issue_link(proposal_id)
    logger.info("proposal %s: would send the proposal link %s", proposal_id,
                _link("proposals:participant_page", token))


def remind_participant(proposal_id: int) -> None:
    """Reminder to the participant about an unanswered proposal (a fresh link)."""
    from .proposals import proposal_issue_link

    token = proposal_issue_link(proposal_id)
    logger.info("proposal %s: would send a reminder with the link %s", proposal_id,
                _link("proposals:participant_page", token))


def confirm_choice_to_participant(proposal_id: int) -> None:
    """Tells the participant their choice was received and the volunteer is being asked."""
    logger.info("proposal %s: would confirm the choice to the participant", proposal_id)


def confirm_answer_to_participant(proposal_id: int) -> None:
    """Tells the participant their answer ("none of these", "call me") was received."""
    logger.info("proposal %s: would confirm the answer to the participant", proposal_id)


def tell_participant_back_on_waiting_list(proposal_id: int) -> None:
    """Tells the participant they keep their place on the waiting list (nothing lost)."""
    logger.info("proposal %s: would tell the participant they keep their place", proposal_id)


def ask_volunteer_to_accept(offer_id: int) -> None:
    """E-mail and SMS to the chosen volunteer with their personal accept/decline link."""
    from .proposals import offer_issue_link

    token = offer_issue_link(offer_id)
    logger.info("offer %s: would ask the volunteer to accept, link %s", offer_id,
                _link("proposals:volunteer_page", token))


def invite_to_introduction_meeting(meeting_id: int) -> None:
    """Tells the participant and the volunteer when and where the introduction meeting is."""
    logger.info("introduction meeting %s: would send the invitation to both", meeting_id)
