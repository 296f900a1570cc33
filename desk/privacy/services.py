"""The writes of privacy: anonymising one person (retention or erasure), the retention
run of an organisation, and the retention setting. Each room blanks its own data through its
`privacy.py`; the AnonymisationRecord (no personal data) makes every step run once."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching import privacy as coaching_privacy
from duos import privacy as duos_privacy
from matching.intake import privacy as matching_privacy
from matching.intake.models import Participant, ParticipantStatus, VolunteerStatus
from matching.proposals import privacy as proposal_privacy
from notifications import privacy as notifications_privacy
from organisations.models import AnonymisationReason, AnonymisationRecord, RetentionSettings
from organisations.services import audit_subject_ref
from outcomes import privacy as outcomes_privacy

from . import selectors


@transaction.atomic
def person_anonymise(*, person, reason: str, done_by=None,
                     today: datetime.date | None = None) -> AnonymisationRecord:
    """Replaces a person's personal data in every room (profile, duos' free text and receipts,
    coaching notes, messages and links) and records that it happened; a second call does
    nothing more."""
    ref = audit_subject_ref(person)
    existing = AnonymisationRecord.objects.filter(subject_ref=ref).first()
    if existing is not None:
        return existing
    model = type(person)
    person = model.objects.select_for_update().get(pk=person.pk)
    kind = person._meta.model_name
    keys, phones = selectors.person_keys(person)
    counts = {
        **duos_privacy.anonymise_duos(kind, person.pk),
        **coaching_privacy.anonymise_coaching(kind, person.pk),
        **outcomes_privacy.anonymise_surveys(kind, person.pk),
        **notifications_privacy.anonymise_messages(
            organisation_id=person.organisation_id, keys=keys, phones=phones),
    }
    proposal_privacy.anonymise_proposals(person)
    matching_privacy.anonymise_person(person, today or timezone.localdate())
    if reason == AnonymisationReason.ERASURE:
        # Off the waiting list or out of the volunteers for good.
        left = (ParticipantStatus.WITHDRAWN if isinstance(person, Participant)
                else VolunteerStatus.STOPPED)
        extra = ({"withdrawal_reason": matching_privacy.ANONYMISED}
                 if isinstance(person, Participant) else {})
        model.objects.filter(pk=person.pk).update(
            status=left, left_on=person.left_on or today or timezone.localdate(), **extra)
    return AnonymisationRecord.objects.create(
        organisation_id=person.organisation_id, kind=kind, subject_ref=ref, reason=reason,
        done_by=done_by, counts=counts,
    )


def person_erase(*, person, requested_by) -> AnonymisationRecord:
    """Erases a person's data at their request, now, whatever the retention period; refused
    while one of their duos has not ended (the coordinator ends it first, on the duo page)."""
    kind = person._meta.model_name
    if duos_privacy.open_duos(kind, person.pk).exists():
        raise ValidationError(_("This person is in a duo that has not ended. End the duo "
                                "first (on the duo page), then erase their data."))
    return person_anonymise(person=person, reason=AnonymisationReason.ERASURE,
                            done_by=requested_by)


def retention_apply(*, organisation, today: datetime.date | None = None) -> list:
    """Anonymises everyone of the organisation whose retention period is over (each in its
    own transaction); returns their AnonymisationRecords."""
    today = today or timezone.localdate()
    return [person_anonymise(person=person, reason=AnonymisationReason.RETENTION, today=today)
            for person in selectors.due_for_anonymisation(organisation, today)]


@transaction.atomic
def retention_set(*, organisation, months: int) -> RetentionSettings:
    """Sets how many months the organisation keeps the data of people who left."""
    if months < 1:
        raise ValidationError({"retention_months": _("At least one month.")})
    settings, _created = RetentionSettings.objects.update_or_create(
        organisation=organisation, defaults={"retention_months": months})
    return settings
