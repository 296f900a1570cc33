"""Reads shared by the pages, the API and the tasks, with their joins (constant queries)."""

import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from matching.scoring import fit

from .models import (
    ImportJob,
    Interest,
    InterestCategory,
    Participant,
    ParticipantStatus,
    Volunteer,
)

# On the waiting list: still waiting for (or choosing) a buddy, or paused by their own wish.
ON_WAITING_LIST = [ParticipantStatus.WAITING, ParticipantStatus.PROPOSAL_OPEN,
                   ParticipantStatus.PAUSED]


def interest_catalogue():
    """The organisation's categories with their interests, in order."""
    return InterestCategory.objects.prefetch_related(
        Prefetch("interests", queryset=Interest.objects.order_by("label_nl"))
    ).order_by("position", "label_nl")


def interest_list(active_only=False):
    qs = Interest.objects.select_related("category").order_by("category__position", "label_nl")
    return qs.filter(is_active=True) if active_only else qs


def participant_list():
    return (
        Participant.objects.select_related("postcode")
        .prefetch_related(Prefetch("interests", queryset=Interest.objects.order_by("label_nl")))
        .order_by("waiting_since", "id")
    )


def participant_detail_queryset():
    return participant_list().prefetch_related("consents__recorded_by")


def volunteer_list():
    return (
        Volunteer.objects.select_related("postcode", "user")
        .prefetch_related(Prefetch("interests", queryset=Interest.objects.order_by("label_nl")))
        .with_free_capacity()
        .order_by("first_name", "last_name", "id")
    )


def waiting_list():
    """Participants on the waiting list (waiting, proposal open, paused), longest waiting first."""
    return participant_list().filter(status__in=ON_WAITING_LIST)


def ready_volunteer_profiles(on=None) -> list:
    """The compact profiles of every volunteer who can be proposed now (one query)."""
    year = (on or timezone.localdate()).year
    rows = Volunteer.objects.ready_with_capacity(on).values(*fit.VOLUNTEER_FIT_FIELDS)
    return [fit.volunteer_profile(row, year) for row in rows]


def _participant_row(participant) -> dict:
    return {name: getattr(participant, name) for name in fit.PARTICIPANT_FIT_FIELDS}


def fit_counts(participants, volunteers=None) -> dict:
    """{participant id: number of ready volunteers with capacity who could fit them}."""
    if volunteers is None:
        volunteers = ready_volunteer_profiles()
    year = timezone.localdate().year
    profiles = {}
    for participant in participants:
        row = participant if isinstance(participant, dict) else _participant_row(participant)
        profiles[row["id"]] = fit.participant_profile(row, year)
    return fit.count_fits(profiles, volunteers)


def fit_counts_for_queryset(queryset, volunteers=None) -> dict:
    """Fit counts for every participant of a queryset, from one `values()` query."""
    return fit_counts(queryset.values(*fit.PARTICIPANT_FIT_FIELDS), volunteers)


def days_waiting(participant, today=None) -> int:
    return ((today or timezone.localdate()) - participant.waiting_since).days


@dataclass
class WaitingFigures:
    number_waiting: int
    median_days: int | None
    longest_days: int | None


def waiting_figures(queryset=None, today=None) -> WaitingFigures:
    """The number waiting and the median and longest waiting time in days (one query).

    Counts the people with status "waiting" (not paused, not choosing a proposal)."""
    today = today or timezone.localdate()
    queryset = Participant.objects.all() if queryset is None else queryset
    dates = list(
        queryset.filter(status=ParticipantStatus.WAITING).values_list("waiting_since", flat=True)
    )
    days = [(today - d).days for d in dates]
    return WaitingFigures(
        number_waiting=len(days),
        median_days=int(statistics.median(days)) if days else None,
        longest_days=max(days) if days else None,
    )


@dataclass
class Recruitment:
    """Waiting participants for whom no ready volunteer fits, summed three ways."""

    unfitted: int = 0
    waiting: int = 0
    by_interest: list = field(default_factory=list)
    by_language: list = field(default_factory=list)
    by_municipality: list = field(default_factory=list)


def recruitment(volunteers=None) -> Recruitment:
    """Who to recruit: the unfitted waiting participants by interest, language and area."""
    participants = list(
        Participant.objects.filter(status=ParticipantStatus.WAITING)
        .select_related("postcode").prefetch_related("interests")
    )
    counts = fit_counts(participants, volunteers)
    unfitted = [p for p in participants if counts[p.id] == 0]
    interests, languages, areas = Counter(), Counter(), Counter()
    for participant in unfitted:
        interests.update(i.label for i in participant.interests.all())
        languages.update(participant.languages or [])
        areas[participant.postcode.municipality] += 1
    return Recruitment(
        unfitted=len(unfitted),
        waiting=len(participants),
        by_interest=interests.most_common(),
        by_language=languages.most_common(),
        by_municipality=areas.most_common(),
    )


def import_job_list():
    return ImportJob.objects.select_related("created_by").defer("content").order_by("-created_at")


def possible_duplicates(person) -> list:
    """Other people of the same kind with the same phone, or the same name and year of
    birth: flagged for the coordinator, never merged."""
    match = Q(pk__in=[])
    if person.phone:
        match |= Q(phone=person.phone)
    if person.birth_year:
        match |= Q(first_name__iexact=person.first_name, last_name__iexact=person.last_name,
                   birth_year=person.birth_year)
    return list(type(person).objects.filter(match).exclude(pk=person.pk).order_by("id")[:5])


def waiting_place(participant) -> tuple[int, int] | None:
    """(place, of how many) on the waiting list, longest waiting first (one query); None when
    the participant is not waiting."""
    if participant.status not in (ParticipantStatus.WAITING, ParticipantStatus.PROPOSAL_OPEN):
        return None
    ahead = Q(waiting_since__lt=participant.waiting_since) | Q(
        waiting_since=participant.waiting_since, pk__lt=participant.pk)
    counts = Participant.objects.filter(
        status__in=[ParticipantStatus.WAITING, ParticipantStatus.PROPOSAL_OPEN],
    ).aggregate(ahead=Count("pk", filter=ahead), total=Count("pk"))
    return counts["ahead"] + 1, counts["total"]
