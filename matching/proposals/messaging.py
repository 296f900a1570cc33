"""Every message matching sends, in one place: functions taking ids, sending through
notifications (matching/reach.py picks SMS, e-mail or a coordinator's call).

The services call these inside their transaction: notifications writes the message in that
transaction and sends it after the commit (once per idempotency key), so a rolled-back
change sends nothing and a crash after the commit loses nothing. Links are notifications'
signed links (`/s/<token>`), whose pages are registered in MatchingConfig.ready():

- "matching.proposal" (subject "proposal:<id>"): the participant's choice; SMS replies to
  the same question reach `handle_reply` (a digit, NONE/GEEN/NEE, CALL/BEL);
- "matching.offer" (subject "offer:<id>"): the chosen volunteer accepts or declines.

Both links work several times until they expire: the proposal's and the offer's own state
make every answer count once (a second click or reply gets "already answered"), and a
reload shows the outcome instead of an error page.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from matching.intake import reach
from notifications import hooks
from notifications import services as notify

from . import sms_texts as kinds
from .models import CandidateStatus, IntroductionMeeting, Proposal, ProposalStatus, VolunteerOffer
from .profiles import matching_settings
from .services import handle_proposal_reply

logger = logging.getLogger("matching.messaging")

PROPOSAL_LINK = "matching.proposal"
OFFER_LINK = "matching.offer"
TITLE = _("About your buddy")
# A link outlives the answer window by a day: a late visitor reads "this proposal has
# expired, call your coordinator" on the page itself rather than a generic page.
LINK_GRACE = timedelta(days=1)


def _valid_for(organisation_id) -> timedelta:
    return timedelta(days=matching_settings(organisation_id).link_valid_days) + LINK_GRACE


def _proposal(proposal_id):
    return Proposal.objects.select_related("participant").get(pk=proposal_id)


def _offered(proposal):
    return list(proposal.candidates.filter(status=CandidateStatus.OFFERED)
                .select_related("volunteer").order_by("position"))


def _proposal_message(proposal_id, kind, key, line):
    proposal = _proposal(proposal_id)
    participant = proposal.participant
    candidates = _offered(proposal)
    choices = ", ".join(f"{c.position} {reach.first_name(c.volunteer)}" for c in candidates)
    subject = f"proposal:{proposal.pk}"
    return reach.reach(
        participant, kind=kind, key=key, context={"choices": choices},
        email_title=TITLE, email_line=line,
        link=notify.LinkSpec(purpose=PROPOSAL_LINK, subject=subject,
                             valid_for=_valid_for(proposal.organisation_id),
                             single_use=False),
        question=notify.QuestionSpec(
            purpose=PROPOSAL_LINK, subject=subject, choices=max(c.position for c in
                                                                candidates) if candidates
            else 0, accepts=("none", "call", "no"),
            valid_for=_valid_for(proposal.organisation_id)),
        call_detail=_("A buddy proposal is waiting: go through the candidates with them."),
    )


def send_proposal_to_participant(proposal_id: int) -> None:
    """SMS (or e-mail) to the participant: a proposal is waiting, with their personal link."""
    sent_at = Proposal.objects.values_list("sent_at", flat=True).get(pk=proposal_id)
    # A proposal opened again (the chosen volunteer declined) is a new message.
    stamp = int(sent_at.timestamp()) if sent_at else 0
    _proposal_message(proposal_id, kinds.PROPOSAL, f"matching.proposal:{proposal_id}:sent:"
                      f"{stamp}", _("We have a buddy proposal for you. Open the link to "
                                    "see who they are and to choose."))


def remind_participant(proposal_id: int) -> None:
    """Reminder to the participant about an unanswered proposal (a fresh link)."""
    reminded = Proposal.objects.values_list("reminded_at", flat=True).get(pk=proposal_id)
    stamp = int(reminded.timestamp()) if reminded else 0
    _proposal_message(proposal_id, kinds.PROPOSAL_REMINDER,
                      f"matching.proposal:{proposal_id}:reminder:{stamp}",
                      _("Your buddy proposal is still waiting for your answer."))


def confirm_choice_to_participant(proposal_id: int) -> None:
    """Tells the participant their choice was received and the volunteer is being asked."""
    proposal = _proposal(proposal_id)
    chosen = proposal.candidates.filter(status=CandidateStatus.CHOSEN).select_related(
        "volunteer").first()
    name = reach.first_name(chosen.volunteer) if chosen else ""
    language = reach.language_of(proposal.participant)
    reach.reach(
        proposal.participant, kind=kinds.CHOICE_RECEIVED,
        key=f"matching.proposal:{proposal_id}:chosen", context={"buddy_first_name": name},
        email_title=TITLE,
        email_line=lambda: reach.text_in(_("Thank you, we received your choice. We now ask "
                                           "%(name)s and let you know."), language, name=name),
        call_detail=_("Tell them their choice was received."),
    )


def confirm_answer_to_participant(proposal_id: int) -> None:
    """Tells the participant their answer ("none of these", "call me") was received."""
    proposal = _proposal(proposal_id)
    if proposal.status == ProposalStatus.CALL_ME:
        # They asked for a phone call: the proposal's call task is the coordinator's
        # work; an SMS only says it is coming.
        if reach.channel_for(proposal.participant) == "call":
            return
        kind, line = kinds.ANSWER_CALL, _("Thank you, your coordinator will call you soon.")
    else:
        kind, line = kinds.ANSWER_NONE, _("Thank you, we received your answer. You keep "
                                          "your place on the waiting list.")
    reach.reach(proposal.participant, kind=kind,
                key=f"matching.proposal:{proposal_id}:answer:{proposal.status}",
                email_title=TITLE, email_line=line,
                call_detail=_("Tell them their answer was received; they keep their place."))


def tell_participant_back_on_waiting_list(proposal_id: int) -> None:
    """Tells the participant they keep their place on the waiting list (nothing lost)."""
    proposal = _proposal(proposal_id)
    reach.reach(proposal.participant, kind=kinds.BACK_ON_WAITING_LIST,
                key=f"matching.proposal:{proposal_id}:back_on_waiting_list",
                email_title=TITLE,
                email_line=_("The buddy you chose cannot go on. You keep your place on the "
                             "waiting list."),
                call_detail=_("The chosen buddy cannot go on: tell them they keep their "
                              "place on the waiting list."))


def ask_volunteer_to_accept(offer_id: int, step: str = "ask") -> None:
    """E-mail and SMS to the chosen volunteer with their personal accept/decline link;
    `step` names the message (the first ask, the reminder), each sent once."""
    offer = VolunteerOffer.objects.select_related("volunteer", "proposal__participant").get(
        pk=offer_id)
    volunteer = offer.volunteer
    language = reach.language_of(volunteer)
    name = reach.name_for_buddy(offer.proposal.participant, language)
    options = {
        "kind": kinds.VOLUNTEER_OFFER, "key": f"matching.offer:{offer_id}:{step}",
        "context": {"participant_first_name": name}, "email_title": TITLE,
        "email_line": lambda: reach.text_in(
            _("%(name)s chose you as their buddy. Open the link to read more and to accept "
              "or decline."), language, name=name),
        "call_detail": _("A participant chose this volunteer: ask whether they accept."),
    }
    channel = reach.channel_for(volunteer)
    if channel == "call":
        reach.reach(volunteer, channel="call", **options)
        return
    for medium in ("email", "sms"):  # both, each with its own link
        if (volunteer.email if medium == "email"
                else notify.normalise_phone(str(volunteer.phone or ""))):
            reach.reach(volunteer, channel=medium, link=notify.LinkSpec(
                purpose=OFFER_LINK, subject=f"offer:{offer_id}",
                valid_for=_valid_for(offer.organisation_id), single_use=False), **options)


def invite_to_introduction_meeting(meeting_id: int) -> None:
    """Tells the participant and the volunteer when and where the introduction meeting is."""
    meeting = IntroductionMeeting.objects.select_related("participant", "volunteer").get(
        pk=meeting_id)
    stamp = int(meeting.planned_at.timestamp())
    for person, other in ((meeting.participant, meeting.volunteer),
                          (meeting.volunteer, meeting.participant)):
        language = reach.language_of(person)
        moment = reach.when(meeting.planned_at, language)
        other_name = reach.name_for_buddy(other, language)
        reach.reach(
            person, kind=kinds.INTRODUCTION_MEETING,
            key=f"matching.meeting:{meeting_id}:{reach.role_of(person)}:{stamp}",
            context={**moment, "place": meeting.place, "other_first_name": other_name},
            email_title=TITLE,
            email_line=lambda moment=moment, other_name=other_name, language=language:
            reach.text_in(_("Your introduction meeting with %(name)s is on %(weekday)s "
                            "%(date)s at %(time)s, %(place)s."), language, name=other_name,
                          place=meeting.place, **moment),
            call_detail=_("Tell them when and where the introduction meeting is."),
        )


# Replies and pages (registered in MatchingConfig.ready()) ----------------------------------


def handle_reply(reply: hooks.Reply) -> None:
    """An SMS answer to a proposal: a number chooses, NONE/NEE/GEEN or CALL/BEL answer."""
    proposal = Proposal.objects.filter(pk=_subject_id(reply.subject)).first()
    if proposal is None:
        raise hooks.ReplyNotUnderstood()
    try:
        handle_proposal_reply(proposal, reply)
    except ValidationError as exc:
        raise hooks.ReplyNotUnderstood() from exc


def _subject_id(subject: str) -> int | None:
    try:
        return int(subject.rsplit(":", 1)[-1])
    except ValueError:
        return None
