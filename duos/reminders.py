"""The reminder kinds of duos (registered in DuosConfig.ready()): the meeting log, the end
question, "how is it going" and an agreement not yet confirmed. Each is a thin layer over
duos' selectors and services; notifications.reminders adds the exactly-once claim."""

import datetime

from django.db.models import Max, Q, Value
from django.utils.translation import gettext_lazy as _

from duos import services
from duos.models import FREQUENCY_DAYS, RUNNING_STATUSES, Duo, DuoSettings, DuoStatus
from duos.selectors import end_question_due, how_is_it_going_due, meeting_log_reminder_due
from notifications.reminders import (
    Due,
    Kind,
    QueryKind,
    local_date,
    local_moment,
    not_claimed,
    organisations_of,
    own_settings,
    register,
    reminder_settings,
    setting_map,
    window,
)


def _duo_settings(organisation, *fields):
    found = DuoSettings.objects.filter(organisation=organisation).first() or DuoSettings()
    return [(DuoSettings._meta.get_field(f).verbose_name, getattr(found, f)) for f in fields]


@register
class MeetingLogReminder(Kind):
    name = "duos.meeting_log_reminder"
    label = _("No meeting logged for the agreed frequency: friendly reminder to the volunteer")

    def _items(self, duos):
        for duo in duos:
            reference = max(d for d in (duo.last_log, duo.started_on, duo.log_reminder_sent_on)
                            if d is not None)
            day = reference + datetime.timedelta(
                days=FREQUENCY_DAYS.get(duo.agreement.meeting_frequency, 14))
            # One reminder per interval: the interval is named by the day it fell due.
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", day.isoformat(),
                      f"volunteer:{duo.volunteer_id}", local_moment(day))

    def due(self, now):
        return self._items(meeting_log_reminder_due(local_date(now)))

    def upcoming(self, now, until):
        duos = (Duo.objects.filter(status__in=RUNNING_STATUSES, started_on__isnull=False)
                .select_related("agreement").annotate(last_log=Max("meeting_logs__date")))
        return window(list(self._items(duos)), now, until)

    def send(self, item):
        services.meeting_log_reminder_send(duo=Duo.objects.get(pk=item.subject_id))
        return True


@register
class EndQuestion(Kind):
    name = "duos.end_question"
    label = _("End of the agreed duration approaching: the question to both")

    def settings_for(self, organisation):
        return _duo_settings(organisation, "weeks_before_end")

    def due(self, now):
        for duo in end_question_due(local_date(now)):
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", "end",
                      f"volunteer:{duo.volunteer_id}")

    def upcoming(self, now, until):
        weeks, default = setting_map(DuoSettings, "weeks_before_end")
        items = []
        for duo in (Duo.objects.filter(status=DuoStatus.ACTIVE, end_question_asked_on__isnull=True,
                                       agreement__end_date__isnull=False)
                    .select_related("agreement")):
            day = duo.agreement.end_date - datetime.timedelta(
                weeks=weeks.get(duo.organisation_id, default))
            items.append(Due(self.name, duo.organisation_id, f"duo:{duo.pk}", "end",
                             f"volunteer:{duo.volunteer_id}", local_moment(day)))
        return window(items, now, until)

    def send(self, item):
        duo = services.end_question_ask(duo=Duo.objects.get(pk=item.subject_id))
        return duo.status == DuoStatus.ENDING


@register
class HowIsItGoing(Kind):
    name = "duos.how_is_it_going"
    label = _("Every few weeks: ask the participant how it is going")

    def settings_for(self, organisation):
        return _duo_settings(organisation, "ask_how_every_weeks")

    def due(self, now):
        for duo in how_is_it_going_due(local_date(now)):
            last = duo.how_asked_on or duo.started_on
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", last.isoformat(),
                      f"participant:{duo.participant_id}")

    def upcoming(self, now, until):
        weeks, default = setting_map(DuoSettings, "ask_how_every_weeks")
        items = []
        for duo in (Duo.objects.filter(status__in=RUNNING_STATUSES, started_on__isnull=False)
                    .only("id", "organisation_id", "participant_id", "started_on",
                          "how_asked_on")):
            interval = weeks.get(duo.organisation_id, default)
            if not interval:
                continue  # never asked in this organisation
            last = duo.how_asked_on or duo.started_on
            # Due from midnight of the day N weeks after the last question (local dates).
            items.append(Due(self.name, duo.organisation_id, f"duo:{duo.pk}", last.isoformat(),
                             f"participant:{duo.participant_id}",
                             local_moment(last + datetime.timedelta(weeks=interval))))
        return window(items, now, until)

    def send(self, item):
        services.participant_ask_how_it_is_going(duo=Duo.objects.get(pk=item.subject_id))
        return True


@register
class AgreementUnconfirmed(QueryKind):
    """An agreement one side has not confirmed after N days: they are asked again, once."""

    name = "duos.agreement_unconfirmed"
    label = _("Agreement not yet confirmed by one side: asked again")

    def settings_for(self, organisation):
        return own_settings(organisation, "agreement_reminder_days")

    def rows(self, until_day):
        settings_of = reminder_settings()
        pending = Duo.objects.filter(status=DuoStatus.AGREEMENT_PENDING)
        condition = Q(pk__in=[])
        for organisation_id in organisations_of(pending):
            days = settings_of(organisation_id).agreement_reminder_days
            condition |= Q(organisation_id=organisation_id, created_at__lt=local_moment(
                until_day - datetime.timedelta(days=days - 1)))
        return (pending.filter(condition)
                .filter(not_claimed(self.name, "duo", Value("reminder")))
                .only("id", "organisation_id", "volunteer_id", "created_at")
                .order_by("id")), settings_of

    def item(self, duo, settings_of):
        days = settings_of(duo.organisation_id).agreement_reminder_days
        return Due(self.name, duo.organisation_id, f"duo:{duo.pk}", "reminder",
                   f"volunteer:{duo.volunteer_id}",
                   local_moment(local_date(duo.created_at) + datetime.timedelta(days=days)))

    def send(self, item):
        duo = Duo.objects.get(pk=item.subject_id)
        if duo.status != DuoStatus.AGREEMENT_PENDING:
            return False
        services.agreement_ask_confirmation(duo=duo, step="reminder")
        return True
