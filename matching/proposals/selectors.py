"""Reads of short lists and proposals, shared by the pages, the API and the tasks.

Short lists load the organisation's ready volunteers (or waiting participants) as compact
rows and hand them to `matching.scoring`; every read here costs a constant number of
queries whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from matching.intake.models import AgeRange, Interest, Participant, ParticipantStatus, Volunteer
from matching.scoring import pairs

from . import blocks, profiles
from .handover import ended_pairs
from .models import (
    IN_PROGRESS,
    CallTaskStatus,
    CandidateStatus,
    IntroductionMeeting,
    Match,
    MatchingSettings,
    MatchStatus,
    MeetingStatus,
    OfferStatus,
    Proposal,
    ProposalCallTask,
    ProposalCandidate,
    ProposalRound,
    ProposalStatus,
    RoundStatus,
    VolunteerOffer,
)

LANGUAGES = ("nl", "fr", "en")


def busy_volunteer_ids():
    """Volunteers in an open proposal, chosen and waiting, or in a match not yet a duo."""
    return Volunteer.objects.filter(
        Q(pk__in=ProposalCandidate.objects.filter(is_open=True).values("volunteer_id"))
        | Q(pk__in=Match.objects.filter(status=MatchStatus.CONFIRMED).values("volunteer_id"))
    ).values("pk")


def available_volunteers(organisation, on=None):
    """Ready volunteers with free capacity who are in no open proposal: they can be proposed."""
    return (Volunteer.objects.filter(organisation=organisation).ready_with_capacity(on)
            .exclude(pk__in=busy_volunteer_ids()))


def waiting_participants(organisation):
    """Participants with status waiting and no proposal in progress: a round serves them."""
    return Participant.objects.filter(organisation=organisation,
                                      status=ParticipantStatus.WAITING).exclude(
        pk__in=Proposal.objects.filter(status__in=IN_PROGRESS).values("participant_id"))


def excluded_pairs(organisation) -> set:
    """(participant id, volunteer id) pairs never to propose again: the volunteers of a
    proposal answered "none of these", a volunteer who declined, a "no" after the
    introduction meeting, and (from duos, when there) pairs whose duo ended."""
    organisation_id = getattr(organisation, "pk", organisation)
    pairs = set(
        ProposalCandidate.objects.filter(
            proposal__organisation_id=organisation_id,
            proposal__status=ProposalStatus.NONE_OF_THESE,
        ).values_list("proposal__participant_id", "volunteer_id")
    )
    pairs |= set(VolunteerOffer.objects.filter(
        organisation_id=organisation_id, status=OfferStatus.DECLINED,
    ).values_list("proposal__participant_id", "volunteer_id"))
    pairs |= set(IntroductionMeeting.objects.filter(
        organisation_id=organisation_id, status=MeetingStatus.STOPPED,
    ).values_list("participant_id", "volunteer_id"))
    return pairs | ended_pairs(organisation_id)


def excluded_volunteers(participant_id, organisation_id, busy=True) -> set[int]:
    """The volunteers not to propose to this participant now (two queries): the pairs never
    proposed again (as `excluded_pairs`, for this participant only) and, unless `busy` is
    False, the volunteers busy in an open proposal or a confirmed match."""
    def ids(queryset):
        return queryset.order_by().values_list("volunteer_id")

    busy_rows = [
        ids(ProposalCandidate.objects.filter(proposal__organisation_id=organisation_id,
                                             is_open=True)),
        ids(Match.objects.filter(organisation_id=organisation_id,
                                 status=MatchStatus.CONFIRMED)),
    ] if busy else []
    rows = ids(ProposalCandidate.objects.filter(
        proposal__participant_id=participant_id, proposal__status=ProposalStatus.NONE_OF_THESE,
    )).union(
        ids(VolunteerOffer.objects.filter(proposal__participant_id=participant_id,
                                          status=OfferStatus.DECLINED)),
        ids(IntroductionMeeting.objects.filter(participant_id=participant_id,
                                               status=MeetingStatus.STOPPED)),
        *busy_rows,
    )
    found = {row[0] for row in rows}
    return found | {v for p, v in ended_pairs(organisation_id) if p == participant_id}


@dataclass
class ShortlistEntry:
    """One candidate of a short list: who, the score, the reasons in the reader's language."""

    id: int
    name: str
    municipality: str
    score: float
    reasons: tuple
    waiting_days: int | None = None
    person: object = field(default=None, repr=False)


def _language(language):
    language = (language or "nl")[:2]
    return language if language in LANGUAGES else "nl"


def _score_for_participant(participant, k, language, on, excluded_ids, settings):
    organisation_id = participant.organisation_id
    me = profiles.participant_profiles(Participant.objects.filter(pk=participant.pk), on)[0]
    # Every ready volunteer of the organisation, kept between requests (matching/blocks):
    # the scoring's hard rules (distance, a common moment, a common language, pairs never
    # proposed again, volunteers busy in another proposal) pick out who can be proposed.
    block = blocks.volunteer_block(organisation_id, on)
    if not len(block):
        return []
    labels = profiles.interest_labels(organisation_id)
    return pairs.shortlist(
        me, block, k=k, weights=profiles.weights_of(settings),
        rarity=profiles.interest_rarity(organisation_id),
        excluded_pairs={(me.id, v) for v in excluded_ids}, language=language,
        interest_labels=labels[language],
    )


def _entries(candidates):
    people = Volunteer.objects.select_related("postcode").in_bulk(
        [c.volunteer_id for c in candidates])
    return [
        ShortlistEntry(id=c.volunteer_id, name=people[c.volunteer_id].display_name,
                       municipality=people[c.volunteer_id].municipality,
                       score=round(c.score, 1), reasons=c.reasons,
                       person=people[c.volunteer_id])
        for c in candidates
    ]


def shortlist_for_participant(participant, k=None, language=None, on=None) -> list:
    """The best k available volunteers for a participant, with scores and reasons."""
    settings = profiles.matching_settings(participant.organisation_id)
    excluded = excluded_volunteers(participant.pk, participant.organisation_id)
    return _entries(_score_for_participant(participant, k or settings.shortlist_size,
                                           _language(language), on, excluded, settings))


@dataclass
class TiedUpEntry:
    """A volunteer who fits but is held by an open proposal or a match (and until when)."""

    entry: ShortlistEntry
    other_participant: str
    until: datetime | None
    proposal_id: int | None
    why: str  # "proposal", "offer" or "match"


def tied_up_for_participant(participant, k=None, language=None, on=None) -> list:
    """The volunteers who would fit a participant but are held elsewhere now: in another
    participant's open proposal (until its link runs out), asked to confirm (until their
    link runs out), or matched and waiting for their duo to start. Says why a short list is
    empty while the waiting list counts volunteers who fit."""
    organisation_id = participant.organisation_id
    settings = profiles.matching_settings(organisation_id)
    k = k or settings.shortlist_size
    never = excluded_volunteers(participant.pk, organisation_id, busy=False)
    busy = set(busy_volunteer_ids().values_list("pk", flat=True))
    if not busy:
        return []
    scored = [c for c in _score_for_participant(participant, k + len(busy), _language(language),
                                                on, never, settings)
              if c.volunteer_id in busy][:k]
    if not scored:
        return []
    ids = [c.volunteer_id for c in scored]
    held = {}
    for candidate in (ProposalCandidate.objects.filter(is_open=True, volunteer_id__in=ids)
                      .exclude(proposal__participant_id=participant.pk)
                      .select_related("proposal__participant")):
        proposal = candidate.proposal
        held[candidate.volunteer_id] = (proposal.participant.display_name, proposal.expires_at,
                                        proposal.pk, "proposal")
    for offer in (VolunteerOffer.objects.filter(status=OfferStatus.ASKED, volunteer_id__in=ids)
                  .select_related("proposal__participant")):
        held[offer.volunteer_id] = (offer.proposal.participant.display_name, offer.expires_at,
                                    offer.proposal_id, "offer")
    for match in (Match.objects.filter(status=MatchStatus.CONFIRMED, volunteer_id__in=ids)
                  .select_related("participant")):
        held[match.volunteer_id] = (match.participant.display_name, None, None, "match")
    return [TiedUpEntry(entry, *held[entry.id]) for entry in _entries(scored)
            if entry.id in held]


def participants_for_volunteer(volunteer, k=None, language=None, on=None) -> list:
    """The waiting participants who fit a volunteer best, longest waiting weighing in."""
    organisation_id = volunteer.organisation_id
    settings = profiles.matching_settings(organisation_id)
    weights = profiles.weights_of(settings)
    k = k or settings.shortlist_size
    language = _language(language)
    me = profiles.volunteer_profiles(Volunteer.objects.filter(pk=volunteer.pk), on)[0]
    block = blocks.participant_block(organisation_id, waiting_participants(organisation_id), on)
    if not len(block):
        return []
    labels = profiles.interest_labels(organisation_id)
    rarity = profiles.interest_rarity(organisation_id)
    candidates = pairs.participants_for_volunteer(
        me, block, k=k, weights=weights, rarity=rarity,
        excluded_pairs=excluded_pairs(organisation_id),
        today=on or timezone.localdate(), language=language, interest_labels=labels[language],
    )
    found = Participant.objects.select_related("postcode").in_bulk(
        [c.participant_id for c in candidates])
    return [
        ShortlistEntry(id=c.participant_id, name=found[c.participant_id].display_name,
                       municipality=found[c.participant_id].municipality,
                       score=round(c.score, 1), reasons=c.reasons, waiting_days=c.waiting_days,
                       person=found[c.participant_id])
        for c in candidates
    ]


# Proposals ------------------------------------------------------------------------------


def _candidates(queryset=None):
    queryset = queryset if queryset is not None else ProposalCandidate.objects.all()
    return queryset.select_related("volunteer__postcode").order_by("position")


def round_running(organisation):
    """The organisation's round being prepared now, or None."""
    organisation_id = getattr(organisation, "pk", organisation)
    return ProposalRound.objects.filter(organisation_id=organisation_id,
                                        status=RoundStatus.PREPARING).first()


def round_list():
    return ProposalRound.objects.select_related("created_by").order_by("-created_at", "-id")


def round_detail_proposals(proposal_round):
    """The proposals of a round with their participants and candidates (three queries)."""
    return (Proposal.objects.filter(round=proposal_round)
            .select_related("participant__postcode")
            .prefetch_related(Prefetch("candidates", queryset=_candidates()))
            .order_by("participant__waiting_since", "participant_id"))


def proposal_list(statuses=None):
    queryset = (Proposal.objects.select_related("participant", "round")
                .prefetch_related(Prefetch("candidates", queryset=_candidates()))
                .order_by("-created_at", "-id"))
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


def proposal_detail_queryset():
    return (Proposal.objects.select_related("participant__postcode", "recorded_by", "round")
            .prefetch_related(
                Prefetch("candidates", queryset=_candidates()),
                Prefetch("offers", queryset=VolunteerOffer.objects.select_related(
                    "volunteer", "recorded_by").order_by("asked_at")),
                Prefetch("call_tasks", queryset=ProposalCallTask.objects.order_by("created_at")),
            ))


@dataclass
class PageCandidate:
    """What the participant's page shows of one candidate (nothing more)."""

    position: int
    first_name: str
    age_range: str
    area: str
    shared_interests: list
    introduction: str


def participant_page_candidates(proposal, language) -> list:
    """The offered candidates as the participant's page shows them (two queries): first
    name, age range, municipality (never the address), shared interests, own introduction."""
    language = _language(language)
    own = set(Participant.interests.through.objects.filter(
        participant_id=proposal.participant_id).values_list("interest_id", flat=True))
    candidates = (_candidates(proposal.candidates.filter(status=CandidateStatus.OFFERED))
                  .prefetch_related(Prefetch("volunteer__interests",
                                             queryset=Interest.objects.order_by("label_nl"))))
    out = []
    for candidate in candidates:
        volunteer = candidate.volunteer
        shared = [getattr(i, f"label_{language}") or i.label_nl
                  for i in volunteer.interests.all() if i.pk in own]
        postcode = volunteer.postcode
        area = postcode.municipality_fr if language == "fr" and postcode.municipality_fr else (
            postcode.municipality)
        out.append(PageCandidate(
            position=candidate.position,
            first_name=volunteer.preferred_name or volunteer.first_name,
            age_range=_age_range_label(volunteer),
            area=area, shared_interests=shared, introduction=volunteer.introduction,
        ))
    return out


def _age_range_label(person) -> str:
    if person.age_range:
        return AgeRange(person.age_range).label
    bounds = person.age_bounds()
    if bounds is None:
        return ""
    age = bounds[1]
    for value, label in AgeRange.choices:
        low, high = (int(x) for x in value.split("-"))
        if low <= age <= high:
            return label
    return ""


def open_call_tasks():
    return (ProposalCallTask.objects.filter(status=CallTaskStatus.OPEN)
            .select_related("proposal__participant").order_by("created_at", "id"))


def offers_waiting():
    """Chosen volunteers who have not answered yet."""
    return (VolunteerOffer.objects.filter(status=OfferStatus.ASKED)
            .select_related("volunteer", "proposal__participant").order_by("asked_at"))


def offers_to_plan():
    """Volunteers who accepted, without an introduction meeting yet."""
    return (VolunteerOffer.objects.filter(status=OfferStatus.ACCEPTED, meeting__isnull=True)
            .select_related("volunteer", "proposal__participant").order_by("answered_at"))


def meetings_in_progress():
    return (IntroductionMeeting.objects.filter(status__in=[MeetingStatus.PLANNED,
                                                           MeetingStatus.HELD])
            .select_related("participant", "volunteer", "offer").order_by("planned_at"))


def recent_matches(limit=20):
    return Match.objects.select_related("participant", "volunteer").order_by(
        "-confirmed_at")[:limit]


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _cutoffs(field_name, today):
    """Q: per organisation, sent at least `field_name` days before `today`."""
    organisation_ids = list(Proposal.objects.filter(status=ProposalStatus.OPEN)
                            .values_list("organisation_id", flat=True).distinct())
    days = dict(MatchingSettings.objects.filter(organisation_id__in=organisation_ids)
                .values_list("organisation_id", field_name))
    default = MatchingSettings._meta.get_field(field_name).default
    condition = Q(pk__in=[])
    for organisation_id in organisation_ids:
        before = _start_of_day(today - timedelta(days=days.get(organisation_id, default) - 1))
        condition |= Q(organisation_id=organisation_id, sent_at__lt=before)
    return condition


def proposals_of_participants_who_left():
    """Proposals still in progress although the participant left the project (intake's
    withdrawal does not know about proposals): their volunteers must be freed."""
    return Proposal.objects.filter(status__in=IN_PROGRESS,
                                   participant__status=ParticipantStatus.WITHDRAWN)


def proposals_due_for_reminder(today=None):
    """Open proposals sent N days ago or more (N per organisation) not reminded yet."""
    today = today or timezone.localdate()
    return (Proposal.objects.filter(status=ProposalStatus.OPEN, reminded_at__isnull=True)
            .filter(_cutoffs("reminder_after_days", today)).order_by("sent_at", "id"))


def proposals_due_for_call_task(today=None):
    """Open proposals sent M days ago or more still unanswered: the coordinator calls."""
    today = today or timezone.localdate()
    return (Proposal.objects.filter(status=ProposalStatus.OPEN)
            .filter(_cutoffs("call_task_after_days", today)).order_by("sent_at", "id"))


__all__ = [
    "available_volunteers", "busy_volunteer_ids", "excluded_pairs", "excluded_volunteers",
    "meetings_in_progress", "offers_to_plan", "offers_waiting", "open_call_tasks",
    "participant_page_candidates", "participants_for_volunteer", "proposal_detail_queryset",
    "proposal_list", "proposals_due_for_call_task", "proposals_due_for_reminder",
    "proposals_of_participants_who_left",
    "recent_matches", "round_detail_proposals", "round_list", "round_running",
    "shortlist_for_participant", "tied_up_for_participant", "waiting_participants",
]
