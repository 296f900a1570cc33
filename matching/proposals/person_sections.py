"""What proposals adds to the person pages (registered in matching/wiring.py): the short list
with one button to propose, who fits but is held elsewhere (and until when), the proposals
and their answers, the introduction meeting; and the events of the person's timeline."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from buddy.i18n import reader_language
from matching.intake.models import ParticipantStatus
from matching.intake.person_pages import Event, Section

from . import selectors
from .models import (
    IN_PROGRESS,
    IntroductionMeeting,
    Match,
    Proposal,
    ProposalCandidate,
    VolunteerOffer,
)


def _proposals(participant):
    return list(Proposal.objects.filter(participant=participant)
                .prefetch_related(Prefetch("candidates", queryset=ProposalCandidate.objects
                                           .select_related("volunteer").order_by("position")),
                                  Prefetch("offers", queryset=VolunteerOffer.objects
                                           .select_related("volunteer").order_by("asked_at")))
                .order_by("-created_at", "-id")[:5])


def participant_section(participant, request) -> Section:
    proposals = _proposals(participant)
    in_progress = next((p for p in proposals if p.status in IN_PROGRESS), None)
    waiting = participant.status == ParticipantStatus.WAITING and in_progress is None
    entries = tied_up = []
    if waiting:
        entries = selectors.shortlist_for_participant(participant, language=reader_language())
        tied_up = selectors.tied_up_for_participant(participant, language=reader_language())
    meetings = list(IntroductionMeeting.objects.filter(participant=participant)
                    .select_related("volunteer").order_by("-planned_at")[:3])
    return Section("matching/proposals/_participant_section.html", {
        "participant": participant, "entries": entries, "tied_up": tied_up,
        "can_propose": waiting, "proposals": proposals, "in_progress": in_progress,
        "meetings": meetings,
    })


def volunteer_section(volunteer, request) -> Section:
    candidacies = list(ProposalCandidate.objects.filter(volunteer=volunteer)
                       .select_related("proposal__participant")
                       .order_by("-proposal__created_at", "-id")[:10])
    offers = {o.candidate_id: o for o in VolunteerOffer.objects.filter(
        volunteer=volunteer, candidate_id__in=[c.pk for c in candidacies])}
    for candidacy in candidacies:
        candidacy.offer = offers.get(candidacy.pk)
    return Section("matching/proposals/_volunteer_section.html", {
        "volunteer": volunteer, "candidacies": candidacies,
    })


def participant_events(participant) -> list[Event]:
    events = []
    for proposal in Proposal.objects.filter(participant=participant).exclude(sent_at=None):
        url = reverse("proposals:proposal_detail", args=[proposal.pk])
        events.append(Event(proposal.sent_at, _("Proposal sent"), url))
        if proposal.answered_at:
            events.append(Event(proposal.answered_at, _("Answered the proposal: %(status)s")
                                % {"status": proposal.get_status_display()}, url))
    for offer in VolunteerOffer.objects.filter(proposal__participant=participant).select_related(
            "volunteer"):
        url = reverse("proposals:proposal_detail", args=[offer.proposal_id])
        if offer.answered_at:
            events.append(Event(offer.answered_at, _("%(name)s answered: %(status)s") % {
                "name": offer.volunteer.display_name, "status": offer.get_status_display()},
                url))
    for meeting in IntroductionMeeting.objects.filter(participant=participant).select_related(
            "volunteer"):
        if meeting.held_on:
            events.append(Event(meeting.held_on, _("Introduction meeting with %(name)s")
                                % {"name": meeting.volunteer.display_name}))
    for match in Match.objects.filter(participant=participant).select_related("volunteer"):
        if match.confirmed_at:
            events.append(Event(match.confirmed_at, _("Matched with %(name)s")
                                % {"name": match.volunteer.display_name}))
    return events


def volunteer_events(volunteer) -> list[Event]:
    events = []
    for offer in VolunteerOffer.objects.filter(volunteer=volunteer).select_related(
            "proposal__participant"):
        url = reverse("proposals:proposal_detail", args=[offer.proposal_id])
        events.append(Event(offer.asked_at, _("Asked to be the buddy of %(name)s")
                            % {"name": offer.proposal.participant.display_name}, url))
        if offer.answered_at:
            events.append(Event(offer.answered_at, _("Answered: %(status)s")
                                % {"status": offer.get_status_display()}, url))
    return events
