"""The coordinators' morning digest (registered in OrganisationsConfig.ready()): it reads
every room, like the coordinator's home (home.py), so it lives next to it. It keeps its name
from the former `reminders` app (part of each SentReminder's key)."""

import datetime

from django.conf import settings
from django.db.models import Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duos.selectors import follow_up_items
from matching.proposals.models import CallTaskStatus, ProposalCallTask
from notifications import services
from notifications.models import CoordinatorTask, RecipientRole
from notifications.reminders import (
    Due,
    Kind,
    keyset,
    local_date,
    local_moment,
    not_claimed,
    own_settings,
    register,
    reminder_settings,
    window,
)
from organisations.models import Organisation, Role, User


@register
class CoordinatorDigest(Kind):
    """Each morning, one e-mail per coordinator listing today's follow-up: duos (alerts,
    check-ins, end questions, evaluations), open follow-up items of messages (failed SMS,
    replies) and unanswered proposals. Nothing to do, no e-mail."""

    name = "reminders.coordinator_digest"
    label = _("Morning e-mail to each coordinator with today's follow-up")

    def settings_for(self, organisation):
        return own_settings(organisation, "digest_hour")

    def _items(self, day):
        settings_of = reminder_settings()
        # Organisation's manager is scoped: the staff page sees its own coordinators only.
        users = (User.objects.filter(role=Role.COORDINATOR, is_active=True,
                                     organisation__in=Organisation.objects.filter(
                                         is_active=True).values("pk"))
                 .exclude(email="")
                 .filter(not_claimed(self.name, "user", Value(day.isoformat())))
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
        return window(items, now, until)

    def send(self, item):
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
