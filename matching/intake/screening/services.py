"""Screening changes: one function per change, each in its own transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .. import services
from ..models import Volunteer, VolunteerStatus
from .models import ScreeningStage, ScreeningStep, StageKind

# The stages an organisation starts with: (kind, days before a reminder).
DEFAULT_STAGES = [
    (StageKind.APPLIED, 7),
    (StageKind.INTAKE_PLANNED, 14),
    (StageKind.INTAKE_HELD, 14),
    (StageKind.CERTIFICATE, 30),
    (StageKind.REFERENCES, 21),
    (StageKind.TRAINING, 60),
    (StageKind.READY, 0),
]
# What reaching a stage of this kind fills on the volunteer.
READINESS_DATES = {
    StageKind.INTAKE_HELD: "intake_talk_on",
    StageKind.CERTIFICATE: "certificate_seen_on",
    StageKind.TRAINING: "training_done_on",
}


def _label(kind, language):
    with override(language):
        return str(StageKind(kind).label)


@transaction.atomic
def screening_stages_ensure(organisation) -> list[ScreeningStage]:
    """The organisation's stages in order; the default ones are made the first time."""
    stages = list(ScreeningStage.objects.filter(organisation=organisation))
    if stages:
        return stages
    return ScreeningStage.objects.bulk_create([
        ScreeningStage(organisation=organisation, kind=kind, position=index * 10,
                       max_days=days, label_nl=_label(kind, "nl"),
                       label_fr=_label(kind, "fr"), label_en=_label(kind, "en"))
        for index, (kind, days) in enumerate(DEFAULT_STAGES)
    ])


def _current(volunteer):
    return (ScreeningStep.objects.select_for_update().filter(volunteer=volunteer,
                                                             is_current=True).first())


@transaction.atomic
def screening_start(*, volunteer, on=None, by=None) -> ScreeningStep:
    """Puts a volunteer in the first stage of screening (once: a volunteer in screening
    stays where they are)."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    current = _current(volunteer)
    if current is not None:
        return current
    first = screening_stages_ensure(volunteer.organisation)[0]
    return ScreeningStep.objects.create(
        organisation_id=volunteer.organisation_id, volunteer=volunteer, stage=first,
        entered_on=on or timezone.localdate(), done_by=by)


@transaction.atomic
def screening_move(*, volunteer, stage, on: datetime.date, by=None, note="") -> ScreeningStep:
    """Records that a volunteer reached `stage` on `on` (by whom, with a note): the dates
    matching needs follow (intake talk, certificate, training), and at "ready" the
    applicant becomes active and can be proposed. Moving to the stage they are in changes
    nothing."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    errors = {}
    if stage.organisation_id != volunteer.organisation_id:
        raise ValidationError({"stage": _("This stage is not one of your organisation's.")})
    if volunteer.status == VolunteerStatus.STOPPED:
        errors["stage"] = [_("This volunteer stopped: resume them before screening.")]
    current = _current(volunteer)
    if current is not None and current.stage_id == stage.pk:
        return current
    if on is None:
        errors["entered_on"] = [_("Fill in the date.")]
    elif on > timezone.localdate():
        errors["entered_on"] = [_("The date cannot be in the future.")]
    elif current is not None and on < current.entered_on:
        errors["entered_on"] = [_("The date is before the previous step (%(date)s).")
                                % {"date": current.entered_on.strftime("%d/%m/%Y")}]
    if errors:
        raise ValidationError(errors)
    if stage.kind in READINESS_DATES:
        services.volunteer_update(volunteer=volunteer, **{READINESS_DATES[stage.kind]: on})
        volunteer.refresh_from_db()
    if stage.kind == StageKind.READY:
        missing = [str(StageKind(kind).label) for kind, field in READINESS_DATES.items()
                   if getattr(volunteer, field) is None]
        if missing:
            raise ValidationError({"stage": _("Not ready yet, still missing: %(steps)s.")
                                   % {"steps": ", ".join(missing)}})
        services.volunteer_mark_ready(
            volunteer=volunteer, intake_talk_on=volunteer.intake_talk_on,
            certificate_seen_on=volunteer.certificate_seen_on,
            training_done_on=volunteer.training_done_on)
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    return ScreeningStep.objects.create(
        organisation_id=volunteer.organisation_id, volunteer=volunteer, stage=stage,
        entered_on=on, done_by=by, note=note)
