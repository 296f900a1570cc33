"""The reads of the screening board and a volunteer's screening: a constant number of
queries, whatever the number of applicants."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from ..models import VolunteerStatus
from .models import ReferenceRequest, ScreeningStage, ScreeningStep, StageKind

# How long someone who became ready stays in the board's last column.
READY_SHOWN_DAYS = 30


@dataclass
class Column:
    stage: ScreeningStage
    cards: list = field(default_factory=list)


@dataclass
class Card:
    step: ScreeningStep
    days: int
    overdue: bool


def board(stages, today=None) -> list[Column]:
    """The organisation's stages, each with the applicants in it (longest waiting first)
    and the days they have spent there; ready ones for READY_SHOWN_DAYS."""
    today = today or timezone.localdate()
    columns = {stage.pk: Column(stage) for stage in stages}
    steps = (ScreeningStep.objects.filter(is_current=True)
             .filter(Q(volunteer__status=VolunteerStatus.APPLIED)
                     | Q(stage__kind=StageKind.READY,
                         entered_on__gte=today - datetime.timedelta(days=READY_SHOWN_DAYS)))
             .exclude(volunteer__status=VolunteerStatus.STOPPED)
             .select_related("volunteer", "done_by").order_by("entered_on", "pk"))
    for step in steps:
        column = columns.get(step.stage_id)
        if column is None:
            continue
        days = (today - step.entered_on).days
        limit = column.stage.max_days
        column.cards.append(Card(step, days, bool(limit) and days > limit))
    return list(columns.values())


def steps_of(volunteer):
    """A volunteer's screening, oldest step first."""
    return (ScreeningStep.objects.filter(volunteer=volunteer)
            .select_related("stage", "done_by").order_by("entered_on", "pk"))


def references_of(volunteer):
    """The references asked about a volunteer, oldest first, with who asked."""
    return (ReferenceRequest.objects.filter(volunteer=volunteer)
            .select_related("asked_by").order_by("asked_at", "pk"))
