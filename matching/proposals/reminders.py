"""The reminder kinds of proposals (registered at start-up by matching's wiring): an unanswered
proposal (a reminder, then a call task) and an unanswered offer to a volunteer (a reminder, then
a task for the coordinator). Each is a thin layer over the proposals' selectors and services;
notifications.reminders adds the exactly-once claim.

The kinds named `reminders.*` keep the names they had in the former `reminders` app: the
names are part of each SentReminder's key, and renaming them would send again.
"""

import datetime

from django.db.models import Q, Value
from django.utils.translation import gettext_lazy as _

from matching.intake import reach
from notifications.reminders import (
    Due,
    Kind,
    keyset,
    local_date,
    local_moment,
    not_claimed,
    organisations_of,
    register,
    setting_map,
    window,
)

from . import messaging
from . import services as proposal_services
from .models import MatchingSettings, OfferStatus, Proposal, ProposalStatus, VolunteerOffer
from .selectors import proposals_due_for_call_task, proposals_due_for_reminder


class _ProposalStep(Kind):
    setting = ""
    period = ""

    def settings_for(self, organisation):
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
        days, default = setting_map(MatchingSettings, self.setting)
        queryset = Proposal.objects.filter(status=ProposalStatus.OPEN, sent_at__isnull=False)
        if self.period == "reminder":
            queryset = queryset.filter(reminded_at__isnull=True)
        items = []
        for proposal in queryset.only("id", "organisation_id", "participant_id", "sent_at"):
            # Due from midnight of the N-th day after it was sent (local dates).
            day = local_date(proposal.sent_at) + datetime.timedelta(
                days=days.get(proposal.organisation_id, default))
            items.append(self._item(proposal, local_moment(day)))
        return window(items, now, until)


@register
class ProposalReminder(_ProposalStep):
    name = "matching.proposal_reminder"
    label = _("Proposal not answered: reminder to the participant")
    setting = "reminder_after_days"
    period = "reminder"

    def selector(self, today):
        return proposals_due_for_reminder(today)

    def send(self, item):
        return proposal_services.proposal_remind(proposal=Proposal.objects.get(pk=item.subject_id))


@register
class ProposalCallTask(_ProposalStep):
    name = "matching.proposal_call_task"
    label = _("Proposal still not answered: call task for the coordinator")
    setting = "call_task_after_days"
    period = "call"

    def selector(self, today):
        return proposals_due_for_call_task(today)

    def send(self, item):
        proposal = Proposal.objects.get(pk=item.subject_id)
        return proposal_services.proposal_to_call_task(proposal=proposal)


class _OfferStep(_ProposalStep):
    """A volunteer asked to accept a chosen proposal who did not answer: the same days as
    the participant's proposal (reminder, then the coordinator)."""

    def _item(self, offer, due_at=None):
        return Due(self.name, offer.organisation_id, f"offer:{offer.pk}", self.period,
                   f"volunteer:{offer.volunteer_id}", due_at)

    def _offers(self, until_day):
        days, default = setting_map(MatchingSettings, self.setting)
        asked = VolunteerOffer.objects.filter(status=OfferStatus.ASKED)
        condition = Q(pk__in=[])
        for organisation_id in organisations_of(asked):
            # Due from midnight of the N-th day after the question (local dates).
            before = local_moment(until_day - datetime.timedelta(
                days=days.get(organisation_id, default) - 1))
            condition |= Q(organisation_id=organisation_id, asked_at__lt=before)
        return (asked.filter(condition)
                .filter(not_claimed(self.name, "offer", Value(self.period)))
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
        return window(items, now, until)

    def _asked_offer(self, item):
        offer = VolunteerOffer.objects.select_related("volunteer").get(pk=item.subject_id)
        return offer if offer.status == OfferStatus.ASKED else None


@register
class OfferReminder(_OfferStep):
    name = "matching.offer_reminder"
    label = _("Volunteer has not answered a proposal: reminder with a fresh link")
    setting = "reminder_after_days"
    period = "reminder"

    def send(self, item):
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
        reach.open_task(offer.volunteer, item.recipient_key, "offer_unanswered",
              _("Has not answered whether they accept a participant: call them."))
        return True
