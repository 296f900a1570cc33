"""Privacy of the people intake owns: who has left, what they agreed to, their data as a
document, and anonymising their profile. Orchestrated by `desk/privacy/`, which also calls the
proposals, duos, coaching and notifications parts; nothing here imports those rooms."""

import datetime

from django.db.models import BooleanField, Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from organisations.models import User
from organisations.scoping import all_organisations

from . import versions
from .applications.models import Application
from .models import (
    AgeRange,
    ConsentPurpose,
    ConsentRecord,
    Participant,
    ParticipantStatus,
    Volunteer,
    VolunteerStatus,
)
from .referrals.models import Referral
from .screening.models import CertificateCopy, ReferenceRequest, ScreeningStep, delete_copies

ANONYMISED = "Anonymised"

PERSON_MODELS = {"participant": Participant, "volunteer": Volunteer}


def person_key(kind: str, pk: int) -> str:
    """The key notifications knows a person by: "participant:12", "volunteer:7"."""
    return f"{kind}:{pk}"


def age_range_of(birth_year: int | None, today: datetime.date) -> str:
    """The age range a year of birth falls in today ("" when unknown or under 18)."""
    if not birth_year:
        return ""
    age = today.year - birth_year
    for value in AgeRange.values:
        low, high = (int(part) for part in value.split("-"))
        if low <= age <= high:
            return value
    return ""


def left_people(kind: str):
    """People who left (participant withdrawn, volunteer stopped), with `left_on` (the day
    they left; the day of their last change for a row that has none), `last_duo_end` and
    `open_duos` (duos not ended)."""
    model = PERSON_MODELS[kind]
    left = (ParticipantStatus.WITHDRAWN if kind == "participant" else VolunteerStatus.STOPPED)
    return (model.objects.filter(status=left)
            .annotate(last_duo_end=Max("duos__ended_on"),
                      open_duos=Count("duos", filter=Q(duos__ended_on__isnull=True)),
                      left_day=Coalesce("left_on", TruncDate("updated_at"))))


def anonymise_person(person, today: datetime.date) -> None:
    """Replaces the profile's personal data: names, contact, notes and free text; the year of
    birth becomes an age range; postcode, languages, interests, statuses and dates stay."""
    fields = {
        "first_name": ANONYMISED, "last_name": "", "preferred_name": "", "birth_year": None,
        "age_range": person.age_range or age_range_of(person.birth_year, today),
        "gender_description": "", "phone": "", "email": "", "interests_other": "",
        "intake_key": "",
    }
    if isinstance(person, Participant):
        # A withdrawn participant must have a reason (a constraint): the reason's text may be
        # personal ("admitted to hospital"), so it becomes the word for anonymised too.
        fields.update(referrer_detail="", intake_note="",
                      withdrawal_reason=ANONYMISED if person.withdrawal_reason else "",
                      buddy_roles_other="", excluded_areas_other="")
        ConsentRecord.objects.filter(participant=person).update(note="")
    else:
        fields.update(motivation="", introduction="")
    type(person).objects.filter(pk=person.pk).update(**fields, updated_at=timezone.now())
    # What the front door and screening hold: what a form said, the referrer's and the
    # referees' names, notes and answers, and any copy of a certificate.
    kind = "participant" if isinstance(person, Participant) else "volunteer"
    Application.objects.filter(**{kind: person}).update(data={})
    if isinstance(person, Participant):
        Referral.objects.filter(participant=person).update(referred_by="")
    else:
        ScreeningStep.objects.filter(volunteer=person).update(note="")
        ReferenceRequest.objects.filter(volunteer=person).update(
            referee_name=ANONYMISED, referee_email="", answer="")
        delete_copies(CertificateCopy.objects.filter(volunteer=person))
    if isinstance(person, Participant):
        versions.participants_changed(person.organisation_id)
    else:
        versions.volunteers_changed(person.organisation_id, [person.pk])
    if isinstance(person, Volunteer) and person.user_id:
        User.objects.filter(pk=person.user_id).update(
            first_name=ANONYMISED, last_name="", email="", is_active=False,
            username=f"anonymised-{person.user_id}", password="!")


# --- consent ---------------------------------------------------------------------------------


def consent_given(participant_id: int, purpose: str) -> bool:
    """The latest record for the purpose says yes (no record: agreed at intake)."""
    latest = (ConsentRecord.objects.filter(participant_id=participant_id, purpose=purpose)
              .order_by("-recorded_at", "-pk").values_list("given", flat=True).first())
    return latest is not False


def _latest_consent(purpose: str, participant_ref):
    return (ConsentRecord.objects.filter(participant=participant_ref, purpose=purpose)
            .order_by("-recorded_at", "-pk").values("given")[:1])


def profile_shared_expression(participant_path: str = "participant"):
    """For a queryset's `annotate`: whether the participant at `participant_path` lets the
    project share their first name and interests with a buddy (no record: agreed at intake).
    One subquery, so a list of duos stays one query."""
    return Coalesce(Subquery(_latest_consent(ConsentPurpose.SHARE_PROFILE,
                                             OuterRef(participant_path))),
                    Value(True), output_field=BooleanField())


def profile_shared(participant_id: int) -> bool:
    """Whether the participant's first name and interests may be shown to a buddy."""
    with all_organisations():
        return consent_given(participant_id, ConsentPurpose.SHARE_PROFILE)


def messages_refused(keys: list[str], template: str) -> set[str]:
    """notifications' consent check for "participant:<id>" keys: SMS and e-mail need the
    SMS purpose. Returns the keys whose latest record says no (one query for the batch)."""
    ids = {}
    for key in keys:
        try:
            ids[int(key.split(":", 1)[1])] = key
        except (IndexError, ValueError):
            continue
    if not ids:
        return set()
    # Messages go out from requests, tasks and link pages, in whatever scope they run in;
    # the lookup is by the participants' own ids, so it reads across organisations.
    latest = {}
    with all_organisations():
        for participant_id, given in (
                ConsentRecord.objects.filter(participant_id__in=list(ids),
                                             purpose=ConsentPurpose.SMS)
                .order_by("participant_id", "-recorded_at", "-pk")
                .values_list("participant_id", "given")):
            latest.setdefault(participant_id, given)
    return {ids[participant_id] for participant_id, given in latest.items() if given is False}


# --- the person's data ---------------------------------------------------------------------


def _profile(person) -> dict:
    data = {
        "id": person.pk, "first_name": person.first_name, "last_name": person.last_name,
        "preferred_name": person.preferred_name, "birth_year": person.birth_year,
        "age_range": person.age_range, "gender": person.gender,
        "gender_description": person.gender_description, "phone": str(person.phone or ""),
        "email": person.email, "contact_channel": person.contact_channel,
        "message_language": person.message_language, "municipality": person.municipality,
        "postcode": person.postcode.code if person.postcode_id else "",
        "languages": person.languages,
        "interests": [interest.label for interest in person.interests.all()],
        "interests_other": person.interests_other, "availability": person.availability,
        "mobility": person.mobility, "childcare": person.childcare, "budget": person.budget,
        "status": person.status, "created_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
    }
    if isinstance(person, Participant):
        data.update(
            waiting_since=person.waiting_since.isoformat(), referrer=person.referrer,
            referrer_detail=person.referrer_detail, intake_note=person.intake_note,
            buddy_roles=person.buddy_roles, buddy_roles_other=person.buddy_roles_other,
            excluded_areas=person.excluded_areas,
            excluded_areas_other=person.excluded_areas_other,
            withdrawal_reason=person.withdrawal_reason,
        )
    else:
        data.update(
            motivation=person.motivation, introduction=person.introduction,
            capacity=person.capacity,
            intake_talk_on=person.intake_talk_on.isoformat() if person.intake_talk_on else None,
            training_done_on=(person.training_done_on.isoformat()
                              if person.training_done_on else None),
        )
    return data


def person_data(person) -> dict:
    """Everything intake holds about one person: profile and consents."""
    data = {"profile": _profile(person)}
    kind = "participant" if isinstance(person, Participant) else "volunteer"
    data["applications"] = [
        {"sent_at": a.created_at.isoformat(), "status": a.status, "consents": a.consents,
         "form": a.data}
        for a in Application.objects.filter(**{kind: person}).order_by("created_at")]
    if isinstance(person, Volunteer):
        data["screening"] = [
            {"stage": str(step.stage), "date": step.entered_on.isoformat(), "note": step.note}
            for step in ScreeningStep.objects.filter(volunteer=person)
            .select_related("stage").order_by("entered_on", "pk")]
        data["references"] = [
            {"referee": r.referee_name, "asked_at": r.asked_at.isoformat(),
             "recommends": r.recommends, "answer": r.answer}
            for r in ReferenceRequest.objects.filter(volunteer=person).order_by("asked_at")]
    else:
        data["referral"] = [
            {"partner": r.partner.name, "referred_on": r.referred_on.isoformat(),
             "referred_by": r.referred_by, "status": r.status}
            for r in Referral.objects.filter(participant=person).select_related("partner")]
    if isinstance(person, Participant):
        data["consents"] = [
            {"purpose": c.purpose, "given": c.given, "recorded_at": c.recorded_at.isoformat(),
             "note": c.note}
            for c in ConsentRecord.objects.filter(participant=person).order_by("recorded_at")]
    return data
