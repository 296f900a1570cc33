"""The reminder kinds of the surveys (registered in OutcomesConfig.ready()), sent by the one
dispatcher (`reminders-dispatch-due`, every minute), exactly once per claim:

- "outcomes.survey_open": a survey's moment has come (a participant N months into a duo
  and at its end, M months after the end; a volunteer after the first month and then every
  N months): the survey is opened, once per person, moment and period;
- "outcomes.survey_ask": an open survey is asked (the first question by SMS, the page by
  e-mail, a call) when the person had no survey SMS for a week;
- "outcomes.survey_remind": the one reminder, with the same weekly rule.

Quiet hours and the daily limit are notifications' rules: a question due at night waits
for the morning there. The ask and the reminder are claimed per day (a survey held back by
the weekly rule is tried again the next day); the survey's own `asked_at`/`reminded_at`,
changed under a row lock, make each go out once.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from buddy.dates import add_months
from duos.models import RUNNING_STATUSES, Duo, DuoStatus
from notifications.reminders import Due, Kind, local_date, local_moment, register, window

from . import selectors, services
from .models import Moment, Survey, SurveySettings, SurveyStop

# An end or an after-end survey is opened within this many days of its moment, not for
# duos that ended long before the surveys were switched on.
CATCH_UP_DAYS = 30


def _settings_labels(organisation, *fields):
    found = selectors.survey_settings(organisation.pk)
    return [(SurveySettings._meta.get_field(f).verbose_name, getattr(found, f))
            for f in fields]


def volunteer_round(start: datetime.date, today: datetime.date, first_days: int,
                     every_months: int) -> tuple[int, datetime.date] | None:
    """(round, day it fell due) of a volunteer's latest check in a duo started on `start`:
    round 1 after `first_days`, then one every `every_months`; None before the first."""
    first = start + datetime.timedelta(days=first_days)
    if today < first:
        return None
    if not every_months:
        return 1, first
    rounds, day = 1, first
    while add_months(first, rounds * every_months) <= today:
        day = add_months(first, rounds * every_months)
        rounds += 1
    return rounds, day


def surveys_due(today: datetime.date):
    """(duo, person_key, moment, period, day) of every survey whose moment has come and that
    is not opened yet, for organisations that send surveys."""
    settings_of = selectors.settings_of_all()
    opened = set(Survey.objects.values_list("organisation_id", "person_key", "moment",
                                            "period"))
    stopped = set(SurveyStop.objects.values_list("organisation_id", "person_key"))
    duos = (Duo.objects.filter(started_on__isnull=False)
            .filter(status__in=[*RUNNING_STATUSES, DuoStatus.CLOSED])
            .only("id", "organisation_id", "participant_id", "volunteer_id", "status",
                  "started_on", "ended_on").order_by("pk"))
    for duo in duos.iterator(chunk_size=2000):
        rules = settings_of(duo.organisation_id)
        if not rules.enabled:
            continue
        participant = f"participant:{duo.participant_id}"
        volunteer = f"volunteer:{duo.volunteer_id}"
        wanted = []
        if duo.status in RUNNING_STATUSES:
            day = add_months(duo.started_on, rules.participant_after_months)
            if day <= today:
                wanted.append((participant, Moment.FOLLOW_UP, f"duo:{duo.pk}", day))
            found = volunteer_round(duo.started_on, today, rules.volunteer_first_after_days,
                                    rules.volunteer_every_months)
            if found:
                wanted.append((volunteer, Moment.VOLUNTEER, f"duo:{duo.pk}:{found[0]}",
                               found[1]))
        elif duo.ended_on:
            if rules.participant_at_end and duo.ended_on <= today < duo.ended_on + (
                    datetime.timedelta(days=CATCH_UP_DAYS)):
                wanted.append((participant, Moment.END, f"duo:{duo.pk}", duo.ended_on))
            if rules.after_end_months:
                day = add_months(duo.ended_on, rules.after_end_months)
                if day <= today < day + datetime.timedelta(days=CATCH_UP_DAYS):
                    wanted.append((participant, Moment.AFTER_END, f"duo:{duo.pk}", day))
        for person_key, moment, period, day in wanted:
            if ((duo.organisation_id, person_key) in stopped
                    or (duo.organisation_id, person_key, moment, period) in opened):
                continue
            yield duo, person_key, moment, period, day


@register
class SurveyOpen(Kind):
    name = "outcomes.survey_open"
    label = _("A survey's moment has come: the survey is opened")

    def settings_for(self, organisation):
        return _settings_labels(organisation, "participant_after_months", "after_end_months",
                                "volunteer_first_after_days", "volunteer_every_months")

    def _items(self, today):
        for duo, person_key, moment, period, day in surveys_due(today):
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", f"{moment}|{period}",
                      person_key, local_moment(day))

    def due(self, now):
        return self._items(local_date(now))

    def upcoming(self, now, until):
        return window(list(self._items(local_date(until))), now, until)

    def send(self, item):
        moment, _sep, period = item.period_key.partition("|")
        survey = services.survey_open(
            organisation_id=item.organisation_id, person_key=item.recipient_key,
            moment=moment, period=period, duo=Duo.objects.get(pk=item.subject_id))
        services.survey_ask(survey=survey)  # else "outcomes.survey_ask", after the week
        return True


def _one_per_person(surveys, now):
    """The weekly rule in bulk: at most one survey per person, none for a person a survey
    asked or reminded in the last week."""
    by_organisation = {}
    for survey in surveys:
        by_organisation.setdefault(survey.organisation_id, []).append(survey)
    for organisation_id, rows in by_organisation.items():
        recent = selectors.contacted_since(organisation_id, {s.person_key for s in rows},
                                           now - services.WEEK)
        for survey in rows:
            if survey.person_key not in recent:
                recent.add(survey.person_key)
                yield survey


@register
class SurveyAsk(Kind):
    name = "outcomes.survey_ask"
    label = _("A survey is opened: the first question goes out (at most one a week)")

    def due(self, now):
        today = local_date(now).isoformat()
        rows = selectors.to_ask(now).only("id", "organisation_id", "person_key",
                                          "opened_at").order_by("pk")
        for survey in _one_per_person(rows, now):
            yield Due(self.name, survey.organisation_id, f"survey:{survey.pk}",
                      f"ask:{today}", survey.person_key, survey.opened_at)

    def upcoming(self, now, until):
        rows = selectors.to_ask(now).only("id", "organisation_id", "person_key", "opened_at")
        return window([Due(self.name, survey.organisation_id, f"survey:{survey.pk}", "ask",
                           survey.person_key, survey.opened_at) for survey in rows], now, until)

    def send(self, item):
        return services.survey_ask(survey=Survey.objects.get(pk=item.subject_id))


@register
class SurveyRemind(Kind):
    name = "outcomes.survey_remind"
    label = _("No answer to a survey: one reminder (at most one survey SMS a week)")

    def settings_for(self, organisation):
        return _settings_labels(organisation, "reminder_after_days", "open_days")

    def due(self, now):
        today = local_date(now).isoformat()
        settings_of = selectors.settings_of_all()
        for survey in _one_per_person(selectors.to_remind(now, settings_of), now):
            yield Due(self.name, survey.organisation_id, f"survey:{survey.pk}",
                      f"remind:{today}", survey.person_key, survey.asked_at)

    def upcoming(self, now, until):
        settings_of = selectors.settings_of_all()
        items = [Due(self.name, survey.organisation_id, f"survey:{survey.pk}", "remind",
                     survey.person_key, survey.asked_at + datetime.timedelta(
                         days=settings_of(survey.organisation_id).reminder_after_days))
                 for survey in selectors.to_remind(until, settings_of)]
        return window(items, now, until)

    def send(self, item):
        return services.survey_remind(survey=Survey.objects.get(pk=item.subject_id))
