"""The screening reminder (registered at start-up by matching's wiring): an applicant who
waits in a stage longer than the stage's days gets the coordinator a task, once per step."""

import datetime

from django.db.models import CharField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications import services as notify
from notifications.models import TaskKind
from notifications.reminders import (
    Due,
    QueryKind,
    local_moment,
    not_claimed,
    organisations_of,
    register,
)

from .. import certificates, reach, versions
from ..models import Volunteer, VolunteerStatus
from ..sms_texts import CERTIFICATE_RENEWAL
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


# The certificate of good conduct: a new one before it stops counting ----------------------

# Volunteers who may be proposed, or come back from a pause: their certificate matters.
CERTIFICATE_HOLDERS = [VolunteerStatus.ACTIVE, VolunteerStatus.PAUSED]


def _holders():
    return Volunteer.objects.filter(status__in=CERTIFICATE_HOLDERS,
                                    certificate_valid_until__isnull=False)


def _same_period(volunteer, item) -> bool:
    return (volunteer is not None and volunteer.status in CERTIFICATE_HOLDERS
            and volunteer.certificate_valid_until is not None
            and volunteer.certificate_valid_until.isoformat() == item.period_key)


@register
class CertificateRenewal(QueryKind):
    """Some weeks before a certificate stops counting: the volunteer is asked for a new one
    (by e-mail or SMS) and the coordinator gets a task."""

    name = "screening.certificate_renewal"
    label = _("Certificate of good conduct ends soon: a message to the volunteer, a task "
              "for the coordinator")

    def settings_for(self, organisation):
        found = certificates.settings_for(organisation.pk)
        return [(found._meta.get_field(name).verbose_name, getattr(found, name))
                for name in ("certificate_valid_months", "certificate_notice_days")]

    def rows(self, until_day):
        notice = {}
        condition = Q(pk__in=[])
        for organisation_id in organisations_of(_holders()):
            days = certificates.settings_for(organisation_id).certificate_notice_days
            notice[organisation_id] = days
            condition |= Q(organisation_id=organisation_id,
                           certificate_valid_until__lte=until_day + datetime.timedelta(days=days))
        return (_holders().filter(condition)
                .filter(not_claimed(self.name, "volunteer",
                                    Cast(OuterRef("certificate_valid_until"), CharField())))
                .only("id", "organisation_id", "certificate_valid_until").order_by("id")), notice

    def item(self, volunteer, notice):
        days = notice[volunteer.organisation_id]
        key = f"volunteer:{volunteer.pk}"
        return Due(self.name, volunteer.organisation_id, key,
                   volunteer.certificate_valid_until.isoformat(), key,
                   local_moment(volunteer.certificate_valid_until
                                - datetime.timedelta(days=days), 10))

    def send(self, item):
        volunteer = Volunteer.objects.filter(pk=item.subject_id).first()
        if not _same_period(volunteer, item):
            return False  # a new certificate was seen meanwhile, or they stopped
        ends = volunteer.certificate_valid_until.strftime("%d/%m/%Y")
        key = f"{self.name}:{volunteer.pk}:{item.period_key}"
        recipient = reach.recipient(volunteer)
        channel = reach.channel_for(volunteer)
        if channel == "email":
            with translation.override(reach.language_of(volunteer)):
                context = {"title": str(_("Your certificate of good conduct ends soon")),
                           "lines": [str(_("Your certificate of good conduct (model 2) counts "
                                           "until %(date)s. Please ask your municipality for "
                                           "a new one and show it to us.") % {"date": ends})]}
            notify.email_send(recipient=recipient, template="notifications.generic",
                              idempotency_key=key, context=context)
        elif channel in ("sms", "whatsapp"):
            notify.sms_send(recipient=recipient, template=CERTIFICATE_RENEWAL,
                            idempotency_key=key, context={"date": ends})
        reach.open_task(volunteer, item.recipient_key, TaskKind.CERTIFICATE_RENEWAL, _(
            "Certificate of good conduct counts until %(date)s: see a new one before then.")
            % {"date": ends})
        return True


@register
class CertificateExpired(QueryKind):
    """The day after a certificate stopped counting: the volunteer drops out of short lists
    (their duos go on) and the coordinator gets a task."""

    name = "screening.certificate_expired"
    label = _("Certificate of good conduct expired: out of new proposals, a task for the "
              "coordinator")

    def rows(self, until_day):
        return (_holders().filter(certificate_valid_until__lt=until_day)
                .filter(not_claimed(self.name, "volunteer",
                                    Cast(OuterRef("certificate_valid_until"), CharField())))
                .only("id", "organisation_id", "certificate_valid_until").order_by("id")), None

    def item(self, volunteer, _context):
        key = f"volunteer:{volunteer.pk}"
        return Due(self.name, volunteer.organisation_id, key,
                   volunteer.certificate_valid_until.isoformat(), key,
                   local_moment(volunteer.certificate_valid_until
                                + datetime.timedelta(days=1), 7))

    def send(self, item):
        volunteer = (Volunteer.objects.with_free_capacity().filter(pk=item.subject_id)
                     .first())
        if not _same_period(volunteer, item):
            return False
        # Short lists are kept per process: they leave the volunteer out from now on.
        versions.volunteers_changed(volunteer.organisation_id, [volunteer.pk])
        ended = volunteer.certificate_valid_until.strftime("%d/%m/%Y")
        if volunteer.active_duos:
            detail = _("Certificate of good conduct expired on %(date)s: not proposed until a "
                       "new one is seen. Their duos go on: ask them for a new one.")
        else:
            detail = _("Certificate of good conduct expired on %(date)s: not proposed until a "
                       "new one is seen.")
        reach.open_task(volunteer, item.recipient_key, TaskKind.CERTIFICATE_EXPIRED,
                        detail % {"date": ended})
        return True
