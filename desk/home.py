"""The coordinator's home: what to do today, gathered from every room (read only).

The one place where `organisations` reads the domain apps: it only calls their selectors,
never their services, and the domain apps never import this module. A constant number of
queries whatever the number of rows (tests/desk/test_home.py counts them).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching import selectors as coaching_selectors
from duos import selectors as duo_selectors
from duos.models import Duo, DuoStatus
from matching.intake import selectors as matching_selectors
from matching.intake.models import Participant, ParticipantStatus
from matching.proposals import selectors as proposal_selectors
from matching.proposals.models import Proposal, ProposalStatus
from notifications import selectors as notification_selectors
from notifications.models import TaskKind

ENDING_SOON_WEEKS = 6
# One scale for every room, lowest first: a person asking for help, then a person we
# cannot reach or who waits for our call, then what a duo or a proposal needs, then routine.
DUO_PRIORITY_OFFSET = {0: 0, 1: 1}  # talk to me, low answer: as urgent as a call for help
HELP_PRIORITY = 0
CALL_PRIORITY = 2
DUO_PRIORITY = 3  # other alerts, check-ins, end questions and evaluations follow in order
OFFER_TO_PLAN_PRIORITY = 12
OFFER_WAITING_PRIORITY = 13
OPEN_PROPOSALS_PRIORITY = 14


@dataclass
class HomeItem:
    priority: int
    since: datetime.date
    title: str
    who: str
    url: str
    kind: str


@dataclass
class Home:
    items: list[HomeItem] = field(default_factory=list)
    number_waiting: int = 0
    median_days: int | None = None
    longest_days: int | None = None
    unfitted: int = 0
    active_duos: int = 0
    agreement_pending: int = 0
    ending_duos: int = 0
    ending_soon: list = field(default_factory=list)
    ending_soon_weeks: int = ENDING_SOON_WEEKS
    next_session: object = None


def _day(moment) -> datetime.date:
    return timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment


def _duo_items(today) -> list[HomeItem]:
    items = []
    for item in duo_selectors.follow_up_items(today):
        duo = item.duo
        priority = DUO_PRIORITY_OFFSET.get(item.priority, DUO_PRIORITY + item.priority)
        url = reverse("duos:detail", args=[duo.pk])
        items.append(HomeItem(priority, item.since, item.title,
                              f"{duo.participant} – {duo.volunteer}", url, item.kind))
    return items


def _message_items() -> list[HomeItem]:
    items = []
    url = reverse("notifications:tasks")
    for task in notification_selectors.task_list(open_only=True):
        priority = HELP_PRIORITY if task.kind == TaskKind.HELP else CALL_PRIORITY
        items.append(HomeItem(priority, _day(task.created_at), task.get_kind_display(),
                              task.first_name or str(task.phone), url, "message"))
    return items


def _proposal_items(today) -> list[HomeItem]:
    items = []
    for task in proposal_selectors.open_call_tasks():
        proposal = task.proposal
        items.append(HomeItem(
            CALL_PRIORITY, _day(task.created_at),
            _("Call about the proposal: %(why)s") % {"why": task.get_reason_display()},
            str(proposal.participant),
            reverse("proposals:proposal_detail", args=[proposal.pk]), "call_task"))
    for offer in proposal_selectors.offers_to_plan():
        items.append(HomeItem(
            OFFER_TO_PLAN_PRIORITY, _day(offer.answered_at or offer.asked_at),
            _("Plan the introduction meeting"),
            f"{offer.proposal.participant} – {offer.volunteer}",
            reverse("proposals:proposal_detail", args=[offer.proposal_id]), "offer"))
    for offer in proposal_selectors.offers_waiting():
        items.append(HomeItem(
            OFFER_WAITING_PRIORITY, _day(offer.asked_at), _("Volunteer has not answered yet"),
            f"{offer.volunteer} ({offer.proposal.participant})",
            reverse("proposals:proposal_detail", args=[offer.proposal_id]), "offer"))
    unanswered = Proposal.objects.filter(status=ProposalStatus.OPEN).aggregate(
        n=Count("pk"), oldest=Min("sent_at"))
    if unanswered["n"]:
        items.append(HomeItem(
            OPEN_PROPOSALS_PRIORITY, _day(unanswered["oldest"]) or today,
            _("Proposals waiting for an answer: %(n)d") % {"n": unanswered["n"]}, "",
            reverse("proposals:overview"), "proposals"))
    return items


def home_for_today(today=None) -> Home:
    """Everything the coordinator's home shows, in the current organisation's scope."""
    today = today or timezone.localdate()
    items = _duo_items(today) + _message_items() + _proposal_items(today)
    items.sort(key=lambda i: (i.priority, i.since or today, i.title))

    figures = matching_selectors.waiting_figures(today=today)
    waiting = Participant.objects.filter(status=ParticipantStatus.WAITING)
    counts = matching_selectors.fit_counts_for_queryset(waiting)

    statuses = Duo.objects.aggregate(
        active=Count("pk", filter=Q(status=DuoStatus.ACTIVE)),
        pending=Count("pk", filter=Q(status=DuoStatus.AGREEMENT_PENDING)),
        ending=Count("pk", filter=Q(status=DuoStatus.ENDING)),
    )
    soon = today + datetime.timedelta(weeks=ENDING_SOON_WEEKS)
    ending_soon = list(
        duo_selectors.duo_list()
        .filter(status__in=[DuoStatus.ACTIVE, DuoStatus.ENDING],
                agreement__end_date__isnull=False, agreement__end_date__lte=soon)
        .order_by("agreement__end_date", "id")
    )
    next_session = coaching_selectors.session_list().filter(status="planned").first()
    return Home(
        items=items,
        number_waiting=figures.number_waiting, median_days=figures.median_days,
        longest_days=figures.longest_days,
        unfitted=sum(1 for n in counts.values() if n == 0),
        active_duos=statuses["active"], agreement_pending=statuses["pending"],
        ending_duos=statuses["ending"], ending_soon=ending_soon, next_session=next_session,
    )
