"""Screening changes: one function per change, each in its own transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from buddy.files import file_kind
from notifications import services as notify
from notifications.models import RecipientRole

from .. import certificates, services
from ..models import Volunteer, VolunteerStatus
from .models import (
    CertificateCopy,
    ReferenceRequest,
    ScreeningStage,
    ScreeningStep,
    StageKind,
    delete_copies,
)

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
    if stage.kind == StageKind.CERTIFICATE:
        certificate_copies_delete(volunteer=volunteer)  # seen: no copy is kept
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    return ScreeningStep.objects.create(
        organisation_id=volunteer.organisation_id, volunteer=volunteer, stage=stage,
        entered_on=on, done_by=by, note=note)


REFERENCE_LINK = "screening.reference"
REFERENCE_VALID_FOR = datetime.timedelta(days=21)


@transaction.atomic
def reference_request(*, volunteer, referee_name, referee_email, by=None) -> ReferenceRequest:
    """Asks a referee by e-mail, with a single-use link (three weeks) to a short form about
    the applicant; the answer is kept with the screening."""
    errors = {}
    if not (referee_name or "").strip():
        errors["referee_name"] = [_("Fill in the referee's name.")]
    if not (referee_email or "").strip():
        errors["referee_email"] = [_("Fill in the referee's e-mail address.")]
    elif volunteer.email and referee_email.strip().lower() == volunteer.email.lower():
        errors["referee_email"] = [_("This is the volunteer's own address: ask someone "
                                     "who knows them.")]
    if errors:
        raise ValidationError(errors)
    reference = ReferenceRequest.objects.create(
        organisation_id=volunteer.organisation_id, volunteer=volunteer,
        referee_name=referee_name.strip(), referee_email=referee_email.strip(), asked_by=by)
    language = volunteer.message_language or "nl"
    with override(language):
        context = {"title": str(_("A question about %(name)s") % {
                       "name": volunteer.first_name}),
                   "lines": [str(_("%(name)s would like to become a buddy: a volunteer who "
                                   "spends time with someone who could use a friend. They "
                                   "gave your name. Would you answer two short questions? "
                                   "It takes two minutes.") % {"name": volunteer.first_name})],
                   "link_label": str(_("Answer the questions:"))}
    notify.email_send(
        recipient=notify.Recipient(
            organisation_id=volunteer.organisation_id, key=f"reference:{reference.pk}",
            first_name=reference.referee_name, language=language,
            email=reference.referee_email,
            # About a volunteer; the referee has no role of their own in the message log.
            role=RecipientRole.VOLUNTEER),
        template="notifications.generic", idempotency_key=f"reference:{reference.pk}",
        context=context, link=notify.LinkSpec(purpose=REFERENCE_LINK,
                                              subject=f"reference:{reference.pk}",
                                              valid_for=REFERENCE_VALID_FOR))
    return reference


@transaction.atomic
def reference_answer(*, reference, recommends, answer) -> ReferenceRequest:
    """Keeps a referee's answer (once: a second answer is refused)."""
    reference = ReferenceRequest.objects.select_for_update().get(pk=reference.pk)
    if reference.answered_at is not None:
        raise ValidationError(_("This question was answered already. Thank you."))
    if recommends is None:
        raise ValidationError({"recommends": [_("Choose yes or no.")]})
    reference.recommends = recommends
    reference.answer = (answer or "").strip()
    reference.answered_at = timezone.now()
    reference.save(update_fields=["recommends", "answer", "answered_at"])
    return reference


CERTIFICATE_COPY_MAX_BYTES = 5 * 1024 * 1024


@transaction.atomic
def certificate_copy_upload(*, volunteer, file, by=None) -> CertificateCopy:
    """Keeps an uploaded copy of the volunteer's certificate in private storage, when the
    organisation keeps copies; deleted when the certificate is marked seen, or after the
    organisation's days."""
    found = certificates.settings_for(volunteer.organisation_id)
    if not found.certificate_copy_kept:
        raise ValidationError({"file": _("Your organisation keeps no copies of certificates: "
                                         "record the date you saw it.")})
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    if file.size > CERTIFICATE_COPY_MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 5 MB.")})
    kind = file_kind(file)
    if not kind:
        raise ValidationError({"file": _("A copy must be a photo (JPEG or PNG) or a PDF.")})
    return CertificateCopy.objects.create(
        organisation_id=volunteer.organisation_id, volunteer=volunteer, file=file, kind=kind,
        uploaded_by=by,
        delete_on=timezone.localdate() + datetime.timedelta(days=found.certificate_copy_days))


@transaction.atomic
def certificate_copies_delete(*, volunteer) -> int:
    """Deletes every kept copy of the volunteer's certificate (rows, then files)."""
    return delete_copies(CertificateCopy.objects.select_for_update().filter(volunteer=volunteer))


@transaction.atomic
def certificate_copies_delete_due(today=None) -> int:
    """Deletes the copies whose days are over, in every organisation (a daily task)."""
    today = today or timezone.localdate()
    return delete_copies(CertificateCopy.objects.select_for_update().filter(delete_on__lte=today))
