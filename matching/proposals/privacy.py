"""Privacy of what proposals hold about a person: the reasons written on proposals and offers,
and the place of an introduction meeting. Orchestrated by `desk/privacy/`."""

from matching.intake.models import Participant

from .models import IntroductionMeeting, Proposal, VolunteerOffer


def anonymise_proposals(person) -> None:
    """Empties the free text proposals hold about the person (reasons, meeting places)."""
    if isinstance(person, Participant):
        Proposal.objects.filter(participant=person).update(reason="")
        IntroductionMeeting.objects.filter(
            offer__candidate__proposal__participant=person).update(place="")
    else:
        VolunteerOffer.objects.filter(volunteer=person).update(reason="")
        IntroductionMeeting.objects.filter(offer__volunteer=person).update(place="")


def person_data(person) -> dict:
    """The person's proposals (a participant's) or offers (a volunteer's), as plain data."""
    if isinstance(person, Participant):
        return {"proposals": [
            {"id": p.pk, "status": p.status, "created_at": p.created_at.isoformat(),
             "reason": p.reason}
            for p in Proposal.objects.filter(participant=person).order_by("pk")]}
    return {"proposals": [
        {"id": o.pk, "status": o.status, "reason": o.reason}
        for o in VolunteerOffer.objects.filter(volunteer=person).order_by("pk")]}
