"""Reads of privacy: who is due for anonymisation, and everything held about one person."""

import datetime

from django.db.models.functions import Coalesce, Greatest

from buddy.dates import add_months
from coaching import privacy as coaching_privacy
from duos import privacy as duos_privacy
from matching.intake import privacy as matching_privacy
from matching.proposals import privacy as proposal_privacy
from notifications import privacy as notifications_privacy
from organisations.models import AnonymisationRecord, PersonKind, RetentionSettings
from outcomes import privacy as outcomes_privacy

DEFAULT_RETENTION_MONTHS = 24


def retention_months(organisation) -> int:
    settings = RetentionSettings.objects.filter(organisation=organisation).first()
    return settings.retention_months if settings else DEFAULT_RETENTION_MONTHS


def due_for_anonymisation(organisation, today: datetime.date) -> list:
    """People of the organisation who left more than the retention period ago (counted from
    `left_on`, or from the end of their last duo when that is later), whose duos have all
    ended, and who are not anonymised yet, oldest first."""
    cutoff = add_months(today, -retention_months(organisation))
    done = set(AnonymisationRecord.objects.filter(organisation=organisation)
               .values_list("subject_ref", flat=True))
    due = []
    for kind in PersonKind.values:
        people = (matching_privacy.left_people(kind)
                  .filter(organisation=organisation, open_duos=0)
                  .annotate(left=Greatest("left_day", Coalesce("last_duo_end", "left_day")))
                  .filter(left__lte=cutoff).order_by("left", "pk"))
        due += [person for person in people
                if f"{person._meta.label_lower}:{person.pk}" not in done]
    return due


def person_keys(person) -> tuple[list[str], list[str]]:
    """The keys and phone numbers the message log knows the person by."""
    kind = person._meta.model_name
    return [matching_privacy.person_key(kind, person.pk)], [str(person.phone or "")]


def person_data(person) -> dict:
    """Everything held about one participant or volunteer, as plain data."""
    kind = person._meta.model_name
    keys, phones = person_keys(person)
    return {
        "kind": kind,
        **matching_privacy.person_data(person),
        **proposal_privacy.person_data(person),
        "duos": duos_privacy.person_data(kind, person.pk),
        **coaching_privacy.person_data(kind, person.pk),
        "survey_answers": outcomes_privacy.person_data(kind, person.pk),
        "messages": notifications_privacy.person_data(
            organisation_id=person.organisation_id, keys=keys, phones=phones),
    }
