"""The reminder kinds of the domain apps, each a thin layer over its app's selectors and
services (which keep their own "sent" marks; the registry adds the exactly-once claim).

Periods are local (Brussels) dates or named steps, so a reminder is unique per subject and
period however often the dispatcher runs, and a run that was missed catches up: "due" is
"its time has come and it was not sent", never "its time is exactly now".
"""

import datetime

from django.db.models import Max, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import Due, Kind, Sent, keyset, local_date, local_moment, register


def _setting_map(model, field):
    values = dict(model.objects.values_list("organisation_id", field))
    return values, model._meta.get_field(field).default


def _organisations_of(queryset):
    """The organisations that have rows in `queryset`, once each (without the model's
    ordering, DISTINCT would return one row per row)."""
    return queryset.order_by().values_list("organisation_id", flat=True).distinct()


def _window(items, now, until):
    # Overdue items (their time came, not sent yet) stay on the list: they go out next run.
    return sorted((item for item in items if item.due_at is not None and item.due_at <= until),
                  key=lambda item: item.due_at)


# matching: unanswered proposals ----------------------------------------------------------


class _ProposalStep(Kind):
    setting = ""
    period = ""

    def settings_for(self, organisation):
        from matching.proposal_models import MatchingSettings

        found = MatchingSettings.objects.filter(organisation=organisation).first()
        field = MatchingSettings._meta.get_field(self.setting)
        return [(field.verbose_name, getattr(found, self.setting) if found else field.default)]

    def _item(self, proposal, due_at=None):
        return Due(self.name, proposal.organisation_id, f"proposal:{proposal.pk}", self.period,
                   f"participant:{proposal.participant_id}", due_at)

    def selector(self, today):
        raise NotImplementedError

    def due(self, now):
        for proposal in keyset(self.selector(local_date(now)).only(
                "id", "organisation_id", "participant_id")):
            yield self._item(proposal)

    def upcoming(self, now, until):
        from matching.proposal_models import MatchingSettings, Proposal, ProposalStatus

        days, default = _setting_map(MatchingSettings, self.setting)
        queryset = Proposal.objects.filter(status=ProposalStatus.OPEN, sent_at__isnull=False)
        if self.period == "reminder":
            queryset = queryset.filter(reminded_at__isnull=True)
        items = []
        for proposal in queryset.only("id", "organisation_id", "participant_id", "sent_at"):
            # Due from midnight of the N-th day after it was sent (local dates).
            day = local_date(proposal.sent_at) + datetime.timedelta(
                days=days.get(proposal.organisation_id, default))
            items.append(self._item(proposal, local_moment(day)))
        return _window(items, now, until)


@register
class ProposalReminder(_ProposalStep):
    name = "matching.proposal_reminder"
    label = _("Proposal not answered: reminder to the participant")
    setting = "reminder_after_days"
    period = "reminder"

    def selector(self, today):
        from matching.proposal_selectors import proposals_due_for_reminder

        return proposals_due_for_reminder(today)

    def send(self, item):
        from matching import proposals
        from matching.proposal_models import Proposal

        return proposals.proposal_remind(proposal=Proposal.objects.get(pk=item.subject_id))


@register
class ProposalCallTask(_ProposalStep):
    name = "matching.proposal_call_task"
    label = _("Proposal still not answered: call task for the coordinator")
    setting = "call_task_after_days"
    period = "call"

    def selector(self, today):
        from matching.proposal_selectors import proposals_due_for_call_task

        return proposals_due_for_call_task(today)

    def send(self, item):
        from matching import proposals
        from matching.proposal_models import Proposal

        return proposals.proposal_to_call_task(proposal=Proposal.objects.get(pk=item.subject_id))


class _OfferStep(_ProposalStep):
    """A volunteer asked to accept a chosen proposal who did not answer: the same days as
    the participant's proposal (reminder, then the coordinator)."""

    def _item(self, offer, due_at=None):
        return Due(self.name, offer.organisation_id, f"offer:{offer.pk}", self.period,
                   f"volunteer:{offer.volunteer_id}", due_at)

    def _offers(self, until_day):
        from django.db.models import Q

        from matching.proposal_models import MatchingSettings, OfferStatus, VolunteerOffer

        days, default = _setting_map(MatchingSettings, self.setting)
        asked = VolunteerOffer.objects.filter(status=OfferStatus.ASKED)
        condition = Q(pk__in=[])
        for organisation_id in _organisations_of(asked):
            # Due from midnight of the N-th day after the question (local dates).
            before = local_moment(until_day - datetime.timedelta(
                days=days.get(organisation_id, default) - 1))
            condition |= Q(organisation_id=organisation_id, asked_at__lt=before)
        return (asked.filter(condition)
                .filter(_not_claimed(self.name, "offer", Value(self.period)))
                .only("id", "organisation_id", "volunteer_id", "asked_at")
                .order_by("id")), days, default

    def due(self, now):
        offers, _days, _default = self._offers(local_date(now))
        return (self._item(offer) for offer in keyset(offers))

    def upcoming(self, now, until):
        offers, days, default = self._offers(local_date(until))
        items = []
        for offer in offers:
            day = local_date(offer.asked_at) + datetime.timedelta(
                days=days.get(offer.organisation_id, default))
            items.append(self._item(offer, local_moment(day)))
        return _window(items, now, until)

    def _asked_offer(self, item):
        from matching.proposal_models import OfferStatus, VolunteerOffer

        offer = VolunteerOffer.objects.select_related("volunteer").get(pk=item.subject_id)
        return offer if offer.status == OfferStatus.ASKED else None


@register
class OfferReminder(_OfferStep):
    name = "matching.offer_reminder"
    label = _("Volunteer has not answered a proposal: reminder with a fresh link")
    setting = "reminder_after_days"
    period = "reminder"

    def send(self, item):
        from matching import messaging

        offer = self._asked_offer(item)
        if offer is None:
            return False
        # In the claim's transaction (the message row is the outbox): claim and message
        # commit together. Its own key, or it would be the first ask again.
        messaging.ask_volunteer_to_accept(offer.pk, step="reminder")
        return True


@register
class OfferCoordinatorTask(_OfferStep):
    name = "matching.offer_coordinator_task"
    label = _("Volunteer still has not answered a proposal: the coordinator calls")
    setting = "call_task_after_days"
    period = "call"

    def send(self, item):
        offer = self._asked_offer(item)
        if offer is None:
            return False
        _task(offer.volunteer, item.recipient_key, "offer_unanswered",
              _("Has not answered whether they accept a participant: call them."))
        return True


# duos --------------------------------------------------------------------------------------


def _duo_settings(organisation, *fields):
    from duos.models import DuoSettings

    found = DuoSettings.objects.filter(organisation=organisation).first() or DuoSettings()
    return [(DuoSettings._meta.get_field(f).verbose_name, getattr(found, f)) for f in fields]


@register
class MeetingLogReminder(Kind):
    name = "duos.meeting_log_reminder"
    label = _("No meeting logged for the agreed frequency: friendly reminder to the volunteer")

    def _items(self, duos):
        from duos.models import FREQUENCY_DAYS

        for duo in duos:
            reference = max(d for d in (duo.last_log, duo.started_on, duo.log_reminder_sent_on)
                            if d is not None)
            day = reference + datetime.timedelta(
                days=FREQUENCY_DAYS.get(duo.agreement.meeting_frequency, 14))
            # One reminder per interval: the interval is named by the day it fell due.
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", day.isoformat(),
                      f"volunteer:{duo.volunteer_id}", local_moment(day))

    def due(self, now):
        from duos.selectors import meeting_log_reminder_due

        return self._items(meeting_log_reminder_due(local_date(now)))

    def upcoming(self, now, until):
        from duos.models import RUNNING_STATUSES, Duo

        duos = (Duo.objects.filter(status__in=RUNNING_STATUSES, started_on__isnull=False)
                .select_related("agreement").annotate(last_log=Max("meeting_logs__date")))
        return _window(list(self._items(duos)), now, until)

    def send(self, item):
        from duos import services
        from duos.models import Duo

        services.meeting_log_reminder_send(duo=Duo.objects.get(pk=item.subject_id))
        return True


@register
class EndQuestion(Kind):
    name = "duos.end_question"
    label = _("End of the agreed duration approaching: the question to both")

    def settings_for(self, organisation):
        return _duo_settings(organisation, "weeks_before_end")

    def due(self, now):
        from duos.selectors import end_question_due

        for duo in end_question_due(local_date(now)):
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", "end",
                      f"volunteer:{duo.volunteer_id}")

    def upcoming(self, now, until):
        from duos.models import Duo, DuoSettings, DuoStatus

        weeks, default = _setting_map(DuoSettings, "weeks_before_end")
        items = []
        for duo in (Duo.objects.filter(status=DuoStatus.ACTIVE, end_question_asked_on__isnull=True,
                                       agreement__end_date__isnull=False)
                    .select_related("agreement")):
            day = duo.agreement.end_date - datetime.timedelta(
                weeks=weeks.get(duo.organisation_id, default))
            items.append(Due(self.name, duo.organisation_id, f"duo:{duo.pk}", "end",
                             f"volunteer:{duo.volunteer_id}", local_moment(day)))
        return _window(items, now, until)

    def send(self, item):
        from duos import services
        from duos.models import Duo, DuoStatus

        duo = services.end_question_ask(duo=Duo.objects.get(pk=item.subject_id))
        return duo.status == DuoStatus.ENDING


@register
class HowIsItGoing(Kind):
    name = "duos.how_is_it_going"
    label = _("Every few weeks: ask the participant how it is going")

    def settings_for(self, organisation):
        return _duo_settings(organisation, "ask_how_every_weeks")

    def due(self, now):
        from duos.selectors import how_is_it_going_due

        for duo in how_is_it_going_due(local_date(now)):
            last = duo.how_asked_on or duo.started_on
            yield Due(self.name, duo.organisation_id, f"duo:{duo.pk}", last.isoformat(),
                      f"participant:{duo.participant_id}")

    def upcoming(self, now, until):
        from duos.models import RUNNING_STATUSES, Duo, DuoSettings

        weeks, default = _setting_map(DuoSettings, "ask_how_every_weeks")
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
        return _window(items, now, until)

    def send(self, item):
        from duos import services
        from duos.models import Duo

        services.participant_ask_how_it_is_going(duo=Duo.objects.get(pk=item.subject_id))
        return True


@register
class AgreementUnconfirmed(Kind):
    """An agreement one side has not confirmed after N days: they are asked again, once."""

    name = "duos.agreement_unconfirmed"
    label = _("Agreement not yet confirmed by one side: asked again")

    def settings_for(self, organisation):
        return _own_settings(organisation, "agreement_reminder_days")

    def _duos(self, until_day):
        from django.db.models import Q

        from duos.models import Duo, DuoStatus

        settings_of = _reminder_settings()
        pending = Duo.objects.filter(status=DuoStatus.AGREEMENT_PENDING)
        condition = Q(pk__in=[])
        for organisation_id in _organisations_of(pending):
            days = settings_of(organisation_id).agreement_reminder_days
            condition |= Q(organisation_id=organisation_id, created_at__lt=local_moment(
                until_day - datetime.timedelta(days=days - 1)))
        return (pending.filter(condition)
                .filter(_not_claimed(self.name, "duo", Value("reminder")))
                .only("id", "organisation_id", "volunteer_id", "created_at")
                .order_by("id")), settings_of

    def _item(self, duo, settings_of):
        days = settings_of(duo.organisation_id).agreement_reminder_days
        return Due(self.name, duo.organisation_id, f"duo:{duo.pk}", "reminder",
                   f"volunteer:{duo.volunteer_id}",
                   local_moment(local_date(duo.created_at) + datetime.timedelta(days=days)))

    def due(self, now):
        duos, settings_of = self._duos(local_date(now))
        return (self._item(duo, settings_of) for duo in keyset(duos))

    def upcoming(self, now, until):
        duos, settings_of = self._duos(local_date(until))
        return _window([self._item(duo, settings_of) for duo in duos], now, until)

    def send(self, item):
        from duos import services
        from duos.models import Duo, DuoStatus

        duo = Duo.objects.get(pk=item.subject_id)
        if duo.status != DuoStatus.AGREEMENT_PENDING:
            return False
        services.agreement_ask_confirmation(duo=duo)
        return True


# coaching: intervision sessions ------------------------------------------------------------

MORNING_HOUR = 7


def _invitee_key(invitation):
    if invitation.volunteer_id:
        return f"volunteer:{invitation.volunteer_id}"
    return f"participant:{invitation.participant_id}"


def _seated(queryset):
    from coaching.models import Answer, SessionStatus

    return queryset.filter(session__status=SessionStatus.PLANNED,
                           answer__in=[Answer.YES, Answer.MAYBE],
                           waiting_position__isnull=True)


@register
class SessionReminder(Kind):
    name = "coaching.session_reminder"
    label = _("Intervision: reminder a few days before the session (yes and maybe)")

    def settings_for(self, organisation):
        from coaching.models import CoachingSettings
        from coaching.selectors import coaching_settings

        field = CoachingSettings._meta.get_field("reminder_lead_days")
        return [(field.verbose_name, coaching_settings(organisation).reminder_lead_days)]

    period = "lead"

    def _invitations(self, queryset):
        return _seated(queryset).filter(reminded_at__isnull=True)

    def _candidates(self, now, until):
        from coaching.models import CoachingSettings, Invitation, SessionStatus

        lead, default = _setting_map(CoachingSettings, "reminder_lead_days")
        longest = max([default, *lead.values()])
        invitations = self._invitations(Invitation.objects.filter(
            session__status=SessionStatus.PLANNED, session__starts_at__gt=now,
            session__starts_at__lte=until + datetime.timedelta(days=longest, hours=1),
        )).filter(_not_claimed(self.name, "invitation", Value(self.period))).select_related(
            "session").only(
            "id", "volunteer_id", "participant_id", "session__organisation_id",
            "session__starts_at")
        for invitation in keyset(invitations):
            days = lead.get(invitation.session.organisation_id, default)
            if not days:
                continue
            # N days before at the same local hour, also across a daylight-saving change.
            start = timezone.localtime(invitation.session.starts_at)
            due_at = timezone.make_aware(start.replace(tzinfo=None)
                                         - datetime.timedelta(days=days))
            yield Due(self.name, invitation.session.organisation_id,
                      f"invitation:{invitation.pk}", self.period, _invitee_key(invitation),
                      due_at)

    def due(self, now):
        return (item for item in self._candidates(now, now) if item.due_at <= now)

    def upcoming(self, now, until):
        return [item for item in self._candidates(now, until) if item.due_at <= until]

    def send(self, item):
        from coaching import services
        from coaching.models import Invitation

        return services.invitation_remind(invitation=Invitation.objects.get(pk=item.subject_id))


@register
class SessionNudge(SessionReminder):
    """Those who did not answer are invited again when the reminders go out."""

    name = "coaching.session_nudge"
    label = _("Intervision: a nudge to those who did not answer yet")

    def _invitations(self, queryset):
        from coaching.models import Answer

        return queryset.filter(answer=Answer.NONE, waiting_position__isnull=True)

    def send(self, item):
        from coaching import services
        from coaching.models import Invitation

        return services.invitation_nudge(invitation=Invitation.objects.get(pk=item.subject_id))


@register
class SessionMorning(Kind):
    name = "coaching.session_morning"
    label = _("Intervision: reminder on the morning of the session (yes and maybe)")

    def _items(self, day_from, day_to, after=None):
        from coaching.models import Invitation

        start = max(local_moment(day_from), after) if after else local_moment(day_from)
        end = local_moment(day_to + datetime.timedelta(days=1))
        invitations = _seated(Invitation.objects.filter(
            session__starts_at__gte=start, session__starts_at__lt=end)).select_related(
                "session").only("id", "volunteer_id", "participant_id",
                                "session__organisation_id", "session__starts_at")
        for invitation in keyset(invitations):
            day = local_date(invitation.session.starts_at)
            due_at = min(local_moment(day, MORNING_HOUR), invitation.session.starts_at)
            yield Due(self.name, invitation.session.organisation_id,
                      f"invitation:{invitation.pk}", day.isoformat(), _invitee_key(invitation),
                      due_at)

    def due(self, now):
        # Only today's sessions that have not started: a morning reminder a day late is
        # no reminder.
        return (item for item in self._items(local_date(now), local_date(now), after=now)
                if item.due_at <= now)

    def upcoming(self, now, until):
        return [item for item in self._items(local_date(now), local_date(until))
                if now <= item.due_at <= until]

    def send(self, item):
        from coaching import services
        from coaching.models import Invitation

        return services.invitation_remind(invitation=Invitation.objects.get(pk=item.subject_id),
                                          morning=True)


# Kinds of the whole organisation: waiting list, pauses, availability, the morning digest --
# Their cadences are ReminderSettings; their messages are sent (or the coordinator's task
# opened) inside the claim's transaction, so a claim and its message stand or fall together.


def _reminder_settings():
    from .models import ReminderSettings

    found = {row.organisation_id: row for row in ReminderSettings.objects.all()}
    default = ReminderSettings()  # once, not once per row of a 100,000-row list
    return lambda organisation_id: found.get(organisation_id, default)


def _own_settings(organisation, *fields):
    from .models import ReminderSettings

    found = ReminderSettings.objects.filter(organisation=organisation).first()
    found = found or ReminderSettings()
    return [(ReminderSettings._meta.get_field(f).verbose_name, getattr(found, f))
            for f in fields]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _not_claimed(kind_name, prefix, period_expression):
    """Exists() of the claim of (kind, "<prefix>:<pk>", period) for the outer row: what was
    sent is left out of `due` in SQL, so a run over 100,000 rows does not re-read them."""
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Cast, Concat

    from .models import SentReminder

    return ~Exists(SentReminder.objects.filter(
        kind=kind_name,
        subject_ref=Concat(Value(f"{prefix}:"), Cast(OuterRef("pk"), CharField())),
        period_key=period_expression,
    ))


def _participant_recipient(participant):
    from notifications.services import Recipient

    return Recipient(organisation_id=participant.organisation_id,
                     key=f"participant:{participant.pk}", first_name=participant.first_name,
                     language=participant.message_language,
                     phone=str(participant.phone or ""), email=participant.email)


def _task(person, key, kind, detail):
    from notifications import services

    services.task_open(organisation_id=person.organisation_id, kind=kind, recipient_key=key,
                       first_name=person.first_name, phone=str(person.phone or ""),
                       detail=str(detail))


@register
class KeepInTouch(Kind):
    """Every N months, an SMS to each participant on the waiting list: still want a buddy?
    YES records the contact, NO opens a task to confirm (never a silent removal)."""

    name = "reminders.keep_in_touch"
    label = _("Waiting list: keep in touch every few months (SMS, reply YES or NO)")

    def settings_for(self, organisation):
        return _own_settings(organisation, "keep_in_touch_months", "keep_in_touch_answer_days")

    def _queryset(self, until_day):
        from django.db.models import CharField, OuterRef, Q
        from django.db.models.functions import Cast, Coalesce

        from matching.models import Participant, ParticipantStatus

        settings_of = _reminder_settings()
        waiting = Participant.objects.filter(status=ParticipantStatus.WAITING)
        condition = Q(pk__in=[])
        for organisation_id in _organisations_of(waiting):
            months = settings_of(organisation_id).keep_in_touch_months
            if months:
                # Due N months after the last contact (or the start of the wait).
                condition |= Q(organisation_id=organisation_id,
                               reference__lte=add_months(until_day, -months))
        return (waiting.annotate(reference=Coalesce("last_contact_on", "waiting_since"))
                .filter(condition)
                .filter(_not_claimed(self.name, "participant",
                                     Cast(OuterRef("reference"), CharField())))
                .only("id", "organisation_id", "last_contact_on", "waiting_since")
                .order_by("id")), settings_of

    def _item(self, participant, settings_of):
        key = f"participant:{participant.pk}"
        months = settings_of(participant.organisation_id).keep_in_touch_months
        return Due(self.name, participant.organisation_id, key,
                   participant.reference.isoformat(), key,
                   local_moment(add_months(participant.reference, months), 10))

    def due(self, now):
        # Plain rows, not model instances: the longest list of all (100,000 in the bench).
        queryset, _settings_of = self._queryset(local_date(now))
        for pk, organisation_id, reference in keyset(
                queryset.values_list("id", "organisation_id", "reference")):
            key = f"participant:{pk}"
            yield Due(self.name, organisation_id, key, reference.isoformat(), key)

    def upcoming(self, now, until):
        queryset, settings_of = self._queryset(local_date(until))
        return _window([self._item(p, settings_of) for p in queryset], now, until)

    def send_many(self, items):
        """In bulk (the waiting list is the longest list): one read of the participants,
        one `sms_send_many` for those with a mobile number, a task for the others."""
        from matching.models import Participant, ParticipantStatus
        from notifications import keywords, services

        from .texts import KEEP_IN_TOUCH

        people = Participant.objects.in_bulk([item.subject_id for item in items])
        settings_of = _reminder_settings()
        outcome, outgoing = Sent(), []
        for item in items:
            participant = people.get(item.subject_id)
            if participant is None or participant.status != ParticipantStatus.WAITING:
                continue
            reference = participant.last_contact_on or participant.waiting_since
            if reference.isoformat() != item.period_key:
                continue  # answered meanwhile: a new period
            outcome.sent.append(item)
            recipient = _participant_recipient(participant)
            if not services.normalise_phone(recipient.phone):
                _task(participant, recipient.key, "keep_in_touch",
                      _("On the waiting list for a while: call to ask whether they still "
                        "want a buddy (no mobile number)."))
                continue
            answer_days = settings_of(participant.organisation_id).keep_in_touch_answer_days
            outgoing.append(services.Outgoing(
                recipient=recipient,
                idempotency_key=f"{self.name}:{participant.pk}:{item.period_key}",
                question=services.QuestionSpec(
                    purpose=KEEP_IN_TOUCH, subject=f"participant:{participant.pk}",
                    accepts=(keywords.YES, keywords.NO),
                    valid_for=datetime.timedelta(days=max(answer_days, 1) + 30))))
        services.sms_send_many(template=KEEP_IN_TOUCH, messages=outgoing)
        return outcome


@register
class KeepInTouchNoAnswer(Kind):
    """No answer to the keep-in-touch SMS after N days: a task to call, never a removal."""

    name = "reminders.keep_in_touch_no_answer"
    label = _("Waiting list: no answer to the keep-in-touch SMS, the coordinator calls")

    def _sent(self, now):
        from django.db.models import Exists, OuterRef, Q

        from .models import Outcome, SentReminder

        settings_of = _reminder_settings()
        sent = SentReminder.objects.filter(kind=KeepInTouch.name, outcome=Outcome.SENT)
        condition = Q(pk__in=[])
        for organisation_id in _organisations_of(sent):
            days = settings_of(organisation_id).keep_in_touch_answer_days
            condition |= Q(organisation_id=organisation_id,
                           sent_at__lte=now - datetime.timedelta(days=days))
        return (sent.filter(condition)
                .filter(~Exists(SentReminder.objects.filter(
                    kind=self.name, subject_ref=OuterRef("subject_ref"),
                    period_key=OuterRef("period_key"))))
                .only("id", "organisation_id", "subject_ref", "period_key", "recipient_key")
                .order_by("id"))

    def upcoming(self, now, until):
        from matching.models import Participant, ParticipantStatus

        settings_of = _reminder_settings()
        claims = list(self._sent(until).only(
            "id", "organisation_id", "subject_ref", "period_key", "recipient_key", "sent_at"))
        ids = [claim.subject_ref.removeprefix("participant:") for claim in claims]
        waiting = Participant.objects.filter(
            pk__in=[int(pk) for pk in ids if pk.isdigit()],  # a hand-made row: not ours
            status=ParticipantStatus.WAITING).only("id", "last_contact_on", "waiting_since")
        # Those who answered have a new reference date: nothing goes to them.
        unanswered = {f"participant:{p.pk}": (p.last_contact_on or p.waiting_since).isoformat()
                      for p in waiting}
        items = [Due(self.name, claim.organisation_id, claim.subject_ref, claim.period_key,
                     claim.recipient_key, claim.sent_at + datetime.timedelta(
                         days=settings_of(claim.organisation_id).keep_in_touch_answer_days))
                 for claim in claims if unanswered.get(claim.subject_ref) == claim.period_key]
        return _window(items, now, until)

    def due(self, now):
        for claim in keyset(self._sent(now)):
            # Whether they answered is checked when sending (one row at a time).
            yield Due(self.name, claim.organisation_id, claim.subject_ref, claim.period_key,
                      claim.recipient_key)

    def send(self, item):
        from matching.models import Participant, ParticipantStatus

        participant = Participant.objects.get(pk=item.subject_id)
        reference = participant.last_contact_on or participant.waiting_since
        if (participant.status != ParticipantStatus.WAITING
                or reference.isoformat() != item.period_key):
            return False  # they answered, or left the waiting list
        _task(participant, item.recipient_key, "keep_in_touch",
              _("No answer to the keep-in-touch SMS: call to ask whether they still want a "
                "buddy."))
        return True


@register
class PausedCheckBack(Kind):
    name = "reminders.paused_check_back"
    label = _("Paused participant whose check-back date has come: the coordinator calls")

    def _queryset(self, until_day):
        from django.db.models import CharField, OuterRef
        from django.db.models.functions import Cast

        from matching.models import Participant, ParticipantStatus

        return (Participant.objects.filter(status=ParticipantStatus.PAUSED,
                                           check_back_on__lte=until_day)
                .filter(_not_claimed(self.name, "participant",
                                     Cast(OuterRef("check_back_on"), CharField())))
                .only("id", "organisation_id", "check_back_on").order_by("id"))

    def _item(self, participant):
        return Due(self.name, participant.organisation_id, f"participant:{participant.pk}",
                   participant.check_back_on.isoformat(), f"participant:{participant.pk}",
                   local_moment(participant.check_back_on))

    def due(self, now):
        return (self._item(p) for p in keyset(self._queryset(local_date(now))))

    def upcoming(self, now, until):
        return _window([self._item(p) for p in self._queryset(local_date(until))], now, until)

    def send(self, item):
        from matching.models import Participant, ParticipantStatus

        participant = Participant.objects.get(pk=item.subject_id)
        if participant.status != ParticipantStatus.PAUSED:
            return False
        _task(participant, item.recipient_key, "check_back",
              _("Paused until %(date)s: call to ask whether they want to wait for a buddy "
                "again.") % {"date": item.period_key})
        return True


@register
class AvailabilityEnding(Kind):
    name = "reminders.availability_ending"
    label = _("Volunteer's availability ending: a message to them, a note for the coordinator")

    def settings_for(self, organisation):
        return _own_settings(organisation, "availability_notice_days")

    def _queryset(self, until_day):
        from django.db.models import CharField, OuterRef, Q
        from django.db.models.functions import Cast

        from matching.models import Volunteer, VolunteerStatus

        settings_of = _reminder_settings()
        active = Volunteer.objects.filter(status=VolunteerStatus.ACTIVE,
                                          available_until__isnull=False)
        condition = Q(pk__in=[])
        for organisation_id in _organisations_of(active):
            days = settings_of(organisation_id).availability_notice_days
            condition |= Q(organisation_id=organisation_id,
                           available_until__lte=until_day + datetime.timedelta(days=days))
        return (active.filter(condition)
                .filter(_not_claimed(self.name, "volunteer",
                                     Cast(OuterRef("available_until"), CharField())))
                .only("id", "organisation_id", "available_until").order_by("id")), settings_of

    def _item(self, volunteer, settings_of):
        days = settings_of(volunteer.organisation_id).availability_notice_days
        return Due(self.name, volunteer.organisation_id, f"volunteer:{volunteer.pk}",
                   volunteer.available_until.isoformat(), f"volunteer:{volunteer.pk}",
                   local_moment(volunteer.available_until - datetime.timedelta(days=days), 10))

    def due(self, now):
        queryset, settings_of = self._queryset(local_date(now))
        return (self._item(v, settings_of) for v in keyset(queryset))

    def upcoming(self, now, until):
        queryset, settings_of = self._queryset(local_date(until))
        return _window([self._item(v, settings_of) for v in queryset], now, until)

    def send(self, item):
        from matching.models import Volunteer, VolunteerStatus
        from notifications import services
        from notifications.models import RecipientRole

        from .texts import AVAILABILITY_ENDING

        volunteer = Volunteer.objects.get(pk=item.subject_id)
        if (volunteer.status != VolunteerStatus.ACTIVE or volunteer.available_until is None
                or volunteer.available_until.isoformat() != item.period_key):
            return False
        recipient = services.Recipient(
            organisation_id=volunteer.organisation_id, key=item.recipient_key,
            first_name=volunteer.first_name, language=volunteer.message_language,
            phone=str(volunteer.phone or ""), email=volunteer.email,
            role=RecipientRole.VOLUNTEER)
        key = f"{self.name}:{volunteer.pk}:{item.period_key}"
        until = datetime.date.fromisoformat(item.period_key)
        if recipient.email:
            services.email_send(
                recipient=recipient, template="notifications.generic", idempotency_key=key,
                context={"title": str(_("Your availability as a volunteer ends soon")),
                         "lines": [str(_("You told us you are available until %(date)s. "
                                         "Would you like to go on? Call or e-mail us.")
                                       % {"date": until.strftime("%d/%m/%Y")})]})
        elif services.normalise_phone(recipient.phone):
            services.sms_send(recipient=recipient, template=AVAILABILITY_ENDING,
                              idempotency_key=key)
        _task(volunteer, item.recipient_key, "availability",
              _("Availability ends on %(date)s: ask whether they go on.")
              % {"date": until.strftime("%d/%m/%Y")})
        return True


@register
class CoordinatorDigest(Kind):
    """Each morning, one e-mail per coordinator listing today's follow-up: duos (alerts,
    check-ins, end questions, evaluations), open follow-up items of messages (failed SMS,
    replies) and unanswered proposals. Nothing to do, no e-mail."""

    name = "reminders.coordinator_digest"
    label = _("Morning e-mail to each coordinator with today's follow-up")

    def settings_for(self, organisation):
        return _own_settings(organisation, "digest_hour")

    def _items(self, day):
        from organisations.models import Organisation, Role, User

        settings_of = _reminder_settings()
        # Organisation's manager is scoped: the staff page sees its own coordinators only.
        users = (User.objects.filter(role=Role.COORDINATOR, is_active=True,
                                     organisation__in=Organisation.objects.filter(
                                         is_active=True).values("pk"))
                 .exclude(email="")
                 .filter(_not_claimed(self.name, "user", Value(day.isoformat())))
                 .only("id", "organisation_id").order_by("id"))
        for user in keyset(users):
            due_at = local_moment(day, settings_of(user.organisation_id).digest_hour)
            yield Due(self.name, user.organisation_id, f"user:{user.pk}", day.isoformat(),
                      f"user:{user.pk}", due_at)

    def due(self, now):
        return (item for item in self._items(local_date(now)) if item.due_at <= now)

    def upcoming(self, now, until):
        # The next morning's e-mail of each coordinator: today's until it went out, then
        # tomorrow's (it goes only when there is something to follow up).
        today = local_date(now)
        items = list(self._items(today))
        waiting = {item.subject_ref for item in items}
        items += [item for item in self._items(today + datetime.timedelta(days=1))
                  if item.subject_ref not in waiting]
        return _window(items, now, until)

    def send(self, item):
        from django.conf import settings
        from django.urls import reverse

        from duos.selectors import follow_up_items
        from matching.proposal_models import CallTaskStatus, ProposalCallTask
        from notifications import services
        from notifications.models import CoordinatorTask, RecipientRole
        from organisations.models import User

        user = User.objects.get(pk=item.subject_id, organisation_id=item.organisation_id)
        day = datetime.date.fromisoformat(item.period_key)
        lines = [f"{entry.title}: {entry.duo.participant.display_name} & "
                 f"{entry.duo.volunteer.display_name}" for entry in follow_up_items(day)]
        lines += [f"{task.get_kind_display()}: {task.first_name} {task.detail}".strip()
                  for task in CoordinatorTask.objects.filter(done_at__isnull=True)
                  .order_by("created_at")]
        lines += [str(_("Proposal not answered, call: %(name)s"))
                  % {"name": task.proposal.participant.display_name}
                  for task in ProposalCallTask.objects.filter(status=CallTaskStatus.OPEN)
                  .select_related("proposal__participant")]
        if not lines:
            return False
        services.email_send(
            recipient=services.Recipient(
                organisation_id=item.organisation_id, key=item.recipient_key,
                first_name=user.first_name or user.username, email=user.email,
                language=getattr(user, "language", "") or "nl",
                role=RecipientRole.COORDINATOR),
            template="notifications.generic",
            idempotency_key=f"{self.name}:{user.pk}:{item.period_key}",
            context={"title": str(_("To follow up today")), "lines": lines[:50],
                     "link": settings.SITE_URL.rstrip("/") + reverse("duos:follow_up"),
                     "link_label": str(_("Open the follow-up"))},
        )
        return True
