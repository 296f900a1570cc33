"""The screening reminder (registered at start-up by matching's wiring): an applicant who
waits in a stage longer than the stage's days gets the coordinator a task, once per step."""

import datetime

from django.db.models import CharField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from notifications.models import TaskKind
from notifications.reminders import Due, QueryKind, local_moment, not_claimed, register

from .. import reach
from ..models import VolunteerStatus
from .models import ScreeningStage, ScreeningStep

SUBJECT = "screeningstep"


def _waiting():
    return ScreeningStep.objects.filter(is_current=True,
                                        volunteer__status=VolunteerStatus.APPLIED)


@register
class ScreeningStuck(QueryKind):
    name = "screening.stuck"
    label = _("Applicant waiting longer than a screening stage allows: a task for the "
              "coordinator")

    def rows(self, until_day):
        condition = Q(pk__in=[])
        stages = {}
        for stage in ScreeningStage.objects.filter(max_days__gt=0):
            stages[stage.pk] = stage
            condition |= Q(stage_id=stage.pk, entered_on__lt=until_day - datetime.timedelta(
                days=stage.max_days))
        return (_waiting().filter(condition)
                .filter(not_claimed(self.name, SUBJECT,
                                    Cast(OuterRef("entered_on"), CharField())))
                .only("id", "organisation_id", "volunteer_id", "stage_id", "entered_on")
                .order_by("id")), stages

    def item(self, step, stages):
        days = stages[step.stage_id].max_days
        return Due(self.name, step.organisation_id, f"{SUBJECT}:{step.pk}",
                   step.entered_on.isoformat(), f"volunteer:{step.volunteer_id}",
                   local_moment(step.entered_on + datetime.timedelta(days=days + 1), 9))

    def send(self, item):
        step = (_waiting().select_related("volunteer", "stage")
                .filter(pk=item.subject_id).first())
        if step is None or step.entered_on.isoformat() != item.period_key:
            return False  # moved on, or no longer an applicant
        reach.open_task(step.volunteer, item.recipient_key, TaskKind.SCREENING_STUCK, _(
            "In the screening stage “%(stage)s” since %(date)s: take the next step or "
            "call them.") % {"stage": step.stage.label,
                             "date": step.entered_on.strftime("%d/%m/%Y")})
        return True


def step_names(keys):
    """The stage a screening step is about, for the reminders page."""
    ids = {int(key.split(":", 1)[1]): key for key in keys if key.split(":", 1)[1].isdigit()}
    return {ids[step.pk]: str(step.stage) for step in
            ScreeningStep.objects.filter(pk__in=ids).select_related("stage")}
