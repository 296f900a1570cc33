"""The reminder kinds of coaching (registered in CoachingConfig.ready()): the intervision
session's reminder, the nudge to those who did not answer, and the morning reminder. Each is
a thin layer over coaching's services; notifications.reminders adds the exactly-once claim."""

import datetime

from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coaching import services
from coaching.models import Answer, CoachingSettings, Invitation, SessionStatus
from coaching.selectors import coaching_settings
from notifications.reminders import (
    Due,
    Kind,
    keyset,
    local_date,
    local_moment,
    not_claimed,
    register,
    setting_map,
)

MORNING_HOUR = 7


def _invitee_key(invitation):
    if invitation.volunteer_id:
        return f"volunteer:{invitation.volunteer_id}"
    return f"participant:{invitation.participant_id}"


def _seated(queryset):
    return queryset.filter(session__status=SessionStatus.PLANNED,
                           answer__in=[Answer.YES, Answer.MAYBE],
                           waiting_position__isnull=True)


@register
class SessionReminder(Kind):
    name = "coaching.session_reminder"
    label = _("Intervision: reminder a few days before the session (yes and maybe)")

    def settings_for(self, organisation):
        field = CoachingSettings._meta.get_field("reminder_lead_days")
        return [(field.verbose_name, coaching_settings(organisation).reminder_lead_days)]

    period = "lead"

    def _invitations(self, queryset):
        return _seated(queryset).filter(reminded_at__isnull=True)

    def _candidates(self, now, until):
        lead, default = setting_map(CoachingSettings, "reminder_lead_days")
        longest = max([default, *lead.values()])
        invitations = self._invitations(Invitation.objects.filter(
            session__status=SessionStatus.PLANNED, session__starts_at__gt=now,
            session__starts_at__lte=until + datetime.timedelta(days=longest, hours=1),
        )).filter(not_claimed(self.name, "invitation", Value(self.period))).select_related(
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
        return services.invitation_remind(invitation=Invitation.objects.get(pk=item.subject_id))


@register
class SessionNudge(SessionReminder):
    """Those who did not answer are invited again when the reminders go out."""

    name = "coaching.session_nudge"
    label = _("Intervision: a nudge to those who did not answer yet")

    def _invitations(self, queryset):
        return queryset.filter(answer=Answer.NONE, waiting_position__isnull=True)

    def send(self, item):
        return services.invitation_nudge(invitation=Invitation.objects.get(pk=item.subject_id))


@register
class SessionMorning(Kind):
    name = "coaching.session_morning"
    label = _("Intervision: reminder on the morning of the session (yes and maybe)")

    def _items(self, day_from, day_to, after=None):
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
        return services.invitation_remind(invitation=Invitation.objects.get(pk=item.subject_id),
                                          morning=True)
