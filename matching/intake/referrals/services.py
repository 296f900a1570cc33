"""Referrals: one function per change, each in its own transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import keywords
from notifications import services as notify
from notifications.models import TaskKind
from organisations.models import Organisation

from .. import reach, services
from ..applications.services import (
    PARTICIPANT_CONSENTS,
    Duplicate,
    participant_confirm,
    same_person,
)
from ..models import ConsentPurpose, Participant, ParticipantStatus
from ..sms_texts import REFERRAL_CONFIRM
from .models import Referral, ReferralStatus

# How long the question "do you want a buddy?" waits for a reply.
ANSWER_DAYS = 21


@transaction.atomic
def referral_receive(*, partner, form_key, referred_by="", consent_recorded=False,
                     consents=(), postcode, municipality="", interests=(),
                     **fields) -> Referral | None:
    """Registers the participant a partner referred "to confirm" (waiting since the referral
    date once they agree), with the consents the referrer recorded, and asks them by SMS to
    reply YES (a task to phone them when no SMS reaches them). The same form twice is one
    referral. Someone registered already (same mobile or e-mail) is not registered again:
    the coordinator gets a task to compare, and None is returned."""
    if not form_key:
        raise ValidationError(_("This form has expired. Please fill it in again."))
    organisation = Organisation.objects.select_for_update().get(pk=partner.organisation_id)
    existing = Referral.objects.filter(organisation=organisation, form_key=form_key).first()
    if existing is not None:
        return existing
    errors = {}
    if not consent_recorded:
        errors["consent_recorded"] = [_("We can only take the referral when the participant "
                                        "agreed that you pass on their details.")]
    consents = set(consents) | {ConsentPurpose.DATA}
    today = timezone.localdate()
    try:
        with transaction.atomic():
            try:
                participant = services.participant_intake(
                    organisation=organisation, postcode=postcode, municipality=municipality,
                    interests=interests, consents=sorted(consents),
                    consents_refused=sorted(PARTICIPANT_CONSENTS - consents),
                    referrer=partner.kind, referrer_detail=partner.name, waiting_since=today,
                    **fields)
            except ValidationError as exc:
                raise ValidationError({**errors, **exc.message_dict}) from exc
            if errors:
                raise ValidationError(errors)
            duplicate = same_person(Participant, participant)
            if duplicate is not None:
                raise Duplicate(duplicate)
    except Duplicate as found:
        # Registered already: never a second person, and the partner is not told (whether
        # someone is a client here is not theirs to learn from a form); the coordinator
        # compares and answers the partner.
        reach.open_task(found.person, reach.key_of(found.person), TaskKind.MERGE_APPLICATION,
                        _("Referred by %(partner)s%(by)s, but registered already: compare "
                          "the referral with their page and answer the partner.")
                        % {"partner": partner.name,
                           "by": f" ({referred_by.strip()})" if referred_by.strip() else ""})
        return None
    participant.status = ParticipantStatus.TO_CONFIRM
    participant.save(update_fields=["status", "updated_at"])
    referral = Referral.objects.create(
        organisation=organisation, partner=partner, participant=participant,
        referred_by=referred_by.strip(), referred_on=today, form_key=form_key)
    _ask(referral)
    return referral


def _ask(referral) -> None:
    participant = referral.participant
    if reach.channel_for(participant) in ("sms", "whatsapp"):
        notify.sms_send(
            recipient=reach.recipient(participant), template=REFERRAL_CONFIRM,
            idempotency_key=f"referral:{referral.pk}:ask",
            question=notify.QuestionSpec(
                purpose=REFERRAL_CONFIRM, subject=f"referral:{referral.pk}",
                accepts=(keywords.YES,), valid_for=datetime.timedelta(days=ANSWER_DAYS)))
    else:
        reach.call_instead(participant, lambda: _(
            "Referred by %(partner)s: ask whether they want a buddy, then confirm them on "
            "Applications.") % {"partner": referral.partner.name})


@transaction.atomic
def referral_confirm(*, referral, at=None) -> Referral:
    """The participant said YES (by SMS or to the coordinator): on the waiting list since
    the referral date. Twice is once."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == ReferralStatus.CONFIRMED:
        return referral
    participant = referral.participant
    if participant.status == ParticipantStatus.TO_CONFIRM:
        participant.waiting_since = referral.referred_on
        participant.save(update_fields=["waiting_since", "updated_at"])
        participant_confirm(participant=participant)
    referral.status = ReferralStatus.CONFIRMED
    referral.answered_at = at or timezone.now()
    referral.save(update_fields=["status", "answered_at"])
    return referral
