"""The reminder kinds of the waiting list (registered at start-up by matching's wiring): keep in
touch, the paused participant's check-back, a volunteer's availability ending. Each is a thin
layer over intake's selectors and services; notifications.reminders adds the exactly-once claim.

The kinds named `reminders.*` keep the names they had in the former `reminders` app: the
names are part of each SentReminder's key, and renaming them would send again.
"""

import datetime

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buddy.dates import add_months
from notifications import hooks, journal, keywords, services
from notifications.models import RecipientRole, ReminderOutcome, SentReminder
from notifications.reminders import (
    Due,
    Kind,
    QueryKind,
    Sent,
    keyset,
    local_date,
    local_moment,
    not_claimed,
    organisations_of,
    own_settings,
    register,
    reminder_settings,
    window,
)
from notifications.services import Recipient

from . import reach
from .models import Participant, ParticipantStatus, Volunteer, VolunteerStatus
from .sms_texts import AVAILABILITY_ENDING, KEEP_IN_TOUCH

# The waiting list and availability ----------------------------------------------------------
# Their cadences are ReminderSettings; their messages are sent (or the coordinator's task
# opened) inside the claim's transaction, so a claim and its message stand or fall together.


def _participant_recipient(participant):
    return Recipient(organisation_id=participant.organisation_id,
                     key=f"participant:{participant.pk}", first_name=participant.first_name,
                     language=participant.message_language,
                     phone=str(participant.phone or ""), email=participant.email)


@register
class KeepInTouch(Kind):
    """Every N months, an SMS to each participant on the waiting list: still want a buddy?
    YES records the contact, NO opens a task to confirm (never a silent removal)."""

    name = "reminders.keep_in_touch"
    label = _("Waiting list: keep in touch every few months (SMS, reply YES or NO)")

    def settings_for(self, organisation):
        return own_settings(organisation, "keep_in_touch_months", "keep_in_touch_answer_days")

    def _queryset(self, until_day):
        settings_of = reminder_settings()
        waiting = Participant.objects.filter(status=ParticipantStatus.WAITING)
        condition = Q(pk__in=[])
        for organisation_id in organisations_of(waiting):
            months = settings_of(organisation_id).keep_in_touch_months
            if months:
                # Due N months after the last contact (or the start of the wait).
                condition |= Q(organisation_id=organisation_id,
                               reference__lte=add_months(until_day, -months))
        return (waiting.annotate(reference=Coalesce("last_contact_on", "waiting_since"))
                .filter(condition)
                .filter(not_claimed(self.name, "participant",
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
        return window([self._item(p, settings_of) for p in queryset], now, until)

    def send_many(self, items):
        """In bulk (the waiting list is the longest list): one read of the participants,
        one `sms_send_many` for those with a mobile number, a task for the others."""
        people = Participant.objects.in_bulk([item.subject_id for item in items])
        settings_of = reminder_settings()
        outcome, outgoing = Sent(), []
        with journal.recording() as made:
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
                    reach.open_task(participant, recipient.key, "keep_in_touch", _(
                        "On the waiting list for a while: call to ask whether they still "
                        "want a buddy (no mobile number)."))
                    continue
                answer_days = settings_of(
                    participant.organisation_id).keep_in_touch_answer_days
                outgoing.append(services.Outgoing(
                    recipient=recipient,
                    idempotency_key=f"{self.name}:{participant.pk}:{item.period_key}",
                    question=services.QuestionSpec(
                        purpose=KEEP_IN_TOUCH, subject=f"participant:{participant.pk}",
                        accepts=(keywords.YES, keywords.NO),
                        valid_for=datetime.timedelta(days=max(answer_days, 1) + 30))))
            services.sms_send_many(template=KEEP_IN_TOUCH, messages=outgoing)
        # One person per item (the subject is the participant): their share of the journal.
        shares = made.by_recipient()
        outcome.made = {item: shares.get(item.recipient_key) for item in outcome.sent}
        return outcome


@register
class KeepInTouchNoAnswer(Kind):
    """No answer to the keep-in-touch SMS after N days: a task to call, never a removal."""

    name = "reminders.keep_in_touch_no_answer"
    label = _("Waiting list: no answer to the keep-in-touch SMS, the coordinator calls")

    def _sent(self, now):
        settings_of = reminder_settings()
        sent = SentReminder.objects.filter(kind=KeepInTouch.name, outcome=ReminderOutcome.SENT)
        condition = Q(pk__in=[])
        for organisation_id in organisations_of(sent):
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
        settings_of = reminder_settings()
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
        return window(items, now, until)

    def due(self, now):
        for claim in keyset(self._sent(now)):
            # Whether they answered is checked when sending (one row at a time).
            yield Due(self.name, claim.organisation_id, claim.subject_ref, claim.period_key,
                      claim.recipient_key)

    def send(self, item):
        participant = Participant.objects.get(pk=item.subject_id)
        reference = participant.last_contact_on or participant.waiting_since
        if (participant.status != ParticipantStatus.WAITING
                or reference.isoformat() != item.period_key):
            return False  # they answered, or left the waiting list
        reach.open_task(participant, item.recipient_key, "keep_in_touch",
              _("No answer to the keep-in-touch SMS: call to ask whether they still want a "
                "buddy."))
        return True


@register
class PausedCheckBack(QueryKind):
    name = "reminders.paused_check_back"
    label = _("Paused participant whose check-back date has come: the coordinator calls")

    def rows(self, until_day):
        return (Participant.objects.filter(status=ParticipantStatus.PAUSED,
                                           check_back_on__lte=until_day)
                .filter(not_claimed(self.name, "participant",
                                     Cast(OuterRef("check_back_on"), CharField())))
                .only("id", "organisation_id", "check_back_on").order_by("id")), None

    def item(self, participant, _context):
        return Due(self.name, participant.organisation_id, f"participant:{participant.pk}",
                   participant.check_back_on.isoformat(), f"participant:{participant.pk}",
                   local_moment(participant.check_back_on))

    def send(self, item):
        participant = Participant.objects.get(pk=item.subject_id)
        if participant.status != ParticipantStatus.PAUSED:
            return False
        reach.open_task(participant, item.recipient_key, "check_back",
              _("Paused until %(date)s: call to ask whether they want to wait for a buddy "
                "again.") % {"date": item.period_key})
        return True


@register
class AvailabilityEnding(QueryKind):
    name = "reminders.availability_ending"
    label = _("Volunteer's availability ending: a message to them, a note for the coordinator")

    def settings_for(self, organisation):
        return own_settings(organisation, "availability_notice_days")

    def rows(self, until_day):
        settings_of = reminder_settings()
        active = Volunteer.objects.filter(status=VolunteerStatus.ACTIVE,
                                          available_until__isnull=False)
        condition = Q(pk__in=[])
        for organisation_id in organisations_of(active):
            days = settings_of(organisation_id).availability_notice_days
            condition |= Q(organisation_id=organisation_id,
                           available_until__lte=until_day + datetime.timedelta(days=days))
        return (active.filter(condition)
                .filter(not_claimed(self.name, "volunteer",
                                     Cast(OuterRef("available_until"), CharField())))
                .only("id", "organisation_id", "available_until").order_by("id")), settings_of

    def item(self, volunteer, settings_of):
        days = settings_of(volunteer.organisation_id).availability_notice_days
        return Due(self.name, volunteer.organisation_id, f"volunteer:{volunteer.pk}",
                   volunteer.available_until.isoformat(), f"volunteer:{volunteer.pk}",
                   local_moment(volunteer.available_until - datetime.timedelta(days=days), 10))

    def send(self, item):
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
        reach.open_task(volunteer, item.recipient_key, "availability",
              _("Availability ends on %(date)s: ask whether they go on.")
              % {"date": until.strftime("%d/%m/%Y")})
        return True


# The answer to the keep-in-touch SMS, reported back by notifications' reply hook ---------


def keep_in_touch_reply(reply: hooks.Reply) -> None:
    """YES: still waiting, the contact is noted. NO: a task to confirm the stop with them;
    nobody leaves the waiting list without a coordinator."""
    participant = Participant.objects.filter(
        pk=int(reply.subject.rsplit(":", 1)[1])).first()
    if participant is None or participant.status != ParticipantStatus.WAITING:
        raise hooks.ReplyNotUnderstood()
    participant.last_contact_on = timezone.localdate(reply.received_at)
    participant.save(update_fields=["last_contact_on"])
    if reply.answer == keywords.NO:
        services.task_open(
            organisation_id=participant.organisation_id, kind="keep_in_touch",
            recipient_key=reply.recipient_key, first_name=participant.first_name,
            phone=str(participant.phone or ""),
            detail=gettext("Answered NO to the keep-in-touch SMS: call to confirm they want "
                           "to leave the waiting list."))
    elif reply.answer != keywords.YES:
        raise hooks.ReplyNotUnderstood()
