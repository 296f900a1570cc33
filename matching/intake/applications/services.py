"""Applications from the public pages: one function per change, each in its own transaction.

An application goes through the intake services' own checks (so a public form refuses
exactly what the coordinator's form refuses, with the same messages) and saves nothing
when they fail. The answer never says whether the person was registered already: a
duplicate is kept aside, the coordinator gets a task to merge it, and the applicant sees
the same thank-you page and gets the same confirmation as anyone else.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import services as notify
from notifications.models import CoordinatorTask, RecipientRole, TaskKind
from organisations.models import Organisation

from .. import reach, services, versions
from ..models import (
    ConsentPurpose,
    ContactChannel,
    Interest,
    Participant,
    ParticipantStatus,
    Referrer,
    Volunteer,
    VolunteerStatus,
)
from ..phones import parse_phone
from ..screening.services import screening_start
from ..sms_texts import APPLICATION_RECEIVED
from .models import Application, ApplicationKind, ApplicationStatus, VolunteerConsent

# What a merge copies from a duplicate's form onto the registered person: how to reach
# them, what they speak and like, when they can; never their name or the coordinator's
# notes.
MERGED_FIELDS = ("phone", "email", "contact_channel", "message_language", "languages",
                 "availability")
VOLUNTEER_MERGED_FIELDS = (*MERGED_FIELDS, "motivation")
PARTICIPANT_CONSENTS = {ConsentPurpose.DATA, ConsentPurpose.SMS, ConsentPurpose.SHARE_PROFILE}


class Duplicate(Exception):
    """Rolls the trial registration back: the person is registered already."""

    def __init__(self, person):
        self.person = person


def _existing(organisation, form_key):
    if not form_key:
        raise ValidationError(_("This form has expired. Please fill it in again."))
    return Application.objects.filter(organisation=organisation, form_key=form_key).first()


def same_person(model, person):
    """The registered person of the organisation with the same mobile number or e-mail
    address (the one registered first), or None."""
    same = Q(pk__in=[])
    if person.phone:
        same |= Q(phone=person.phone)
    if person.email:
        same |= Q(email__iexact=person.email)
    return (model.objects.filter(same, organisation=person.organisation_id)
            .exclude(pk=person.pk).order_by("pk").first())


def _json_safe(fields: dict, postcode, municipality, interests) -> dict:
    data = {key: value for key, value in fields.items() if key != "phone"}
    data["phone"] = str(fields.get("phone") or "")
    data.update(postcode=str(postcode), municipality=municipality,
                interests=[interest.pk for interest in interests])
    return data


def _consent_errors(consents, allowed, required) -> dict:
    unknown = set(consents) - set(allowed)
    if unknown:
        return {"consents": [_("Unknown consent purpose.")]}
    if required not in consents:
        return {"consents": [_(
            "We can only register you if you agree that we keep your data for the buddy "
            "project.")]}
    return {}


def _confirm(application, person) -> None:
    """Thanks the applicant by the channel they chose (an SMS or an e-mail, once per
    application); a person who wants a call gets one from the coordinator, who sees the
    application on the list."""
    channel = person.contact_channel
    if channel == ContactChannel.CALL:
        return
    recipient = notify.Recipient(
        organisation_id=application.organisation_id,
        key=f"{application.kind}:{person.pk}",
        first_name=person.preferred_name or person.first_name,
        language=person.message_language or application.language,
        phone=str(person.phone or ""), email=person.email or "",
        role=(RecipientRole.VOLUNTEER if application.kind == ApplicationKind.VOLUNTEER
              else RecipientRole.PARTICIPANT),
    )
    key = f"application:{application.pk}:received"
    if channel == ContactChannel.EMAIL and recipient.email:
        with translation.override(recipient.language):
            context = {"title": str(gettext_lazy("We received your application")),
                       "lines": [str(gettext_lazy(
                           "Thank you. A coordinator will contact you soon for a talk."))]}
        notify.email_send(recipient=recipient, template=APPLICATION_RECEIVED,
                          idempotency_key=key, context=context)
    elif recipient.phone:
        notify.sms_send(recipient=recipient, template=APPLICATION_RECEIVED,
                        idempotency_key=key)


def _as_typed(person, model, fields):
    """The person as the form describes them (unsaved): what the confirmation goes to when
    the application is a duplicate, so that it reaches the number or address typed."""
    typed = model(organisation_id=person.organisation_id, pk=person.pk)
    for name in ("first_name", "preferred_name", "contact_channel", "message_language",
                 "email"):
        setattr(typed, name, fields.get(name) or "")
    try:
        typed.phone = parse_phone(str(fields.get("phone") or "")) if fields.get("phone") else ""
    except ValidationError:
        typed.phone = ""
    typed.contact_channel = typed.contact_channel or ContactChannel.SMS
    return typed


def _apply(*, organisation, kind, form_key, language, consents, consent_errors, register,
           model, postcode, municipality, interests, fields) -> Application:
    # One application of an organisation at a time: a double click sent twice at once
    # finds the first one's application, not a unique-key error.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    existing = _existing(organisation, form_key)
    if existing is not None:  # the same form twice (a double click, a retry)
        return existing
    interests = list(interests or ())
    try:
        with transaction.atomic():
            try:
                person = register(organisation=organisation, postcode=postcode,
                                  municipality=municipality, interests=interests, **fields)
            except ValidationError as exc:  # every error at once, the consent's too
                found = exc.message_dict if hasattr(exc, "error_dict") else {
                    "__all__": exc.messages}
                raise ValidationError({**consent_errors, **found}) from exc
            if consent_errors:
                raise ValidationError(consent_errors)
            duplicate = same_person(model, person)
            if duplicate is not None:
                raise Duplicate(duplicate)
    except Duplicate as found:
        application = Application.objects.create(
            organisation=organisation, kind=kind, status=ApplicationStatus.DUPLICATE,
            form_key=form_key, language=language, consents=sorted(consents),
            data=_json_safe(fields, postcode, municipality, interests),
            **{kind: found.person},
        )
        reach.open_task(found.person, reach.key_of(found.person), TaskKind.MERGE_APPLICATION,
                        _("An application from someone already registered: compare and "
                          "merge it."))
        _confirm(application, _as_typed(found.person, model, fields))
        return application
    application = Application.objects.create(
        organisation=organisation, kind=kind, status=ApplicationStatus.REGISTERED,
        form_key=form_key, language=language, consents=sorted(consents), **{kind: person},
    )
    _confirm(application, person)
    return application


@transaction.atomic
def volunteer_apply(*, organisation, form_key, consents, language="nl", postcode,
                    municipality="", interests=(), **fields) -> Application:
    """Registers a volunteer from the public page as an applicant in the first stage of
    screening (never proposed until screened) and thanks them by their channel; someone
    registered already is not registered twice: the coordinator gets a task to merge. The
    same form twice is one application."""

    def register(**kwargs):
        volunteer = services.volunteer_intake(**kwargs)
        volunteer.status = VolunteerStatus.APPLIED
        volunteer.save(update_fields=["status", "updated_at"])
        screening_start(volunteer=volunteer)  # the first stage: applied, today
        return volunteer

    return _apply(organisation=organisation, kind=ApplicationKind.VOLUNTEER,
                  form_key=form_key, language=language, consents=set(consents),
                  consent_errors=_consent_errors(set(consents), VolunteerConsent.values,
                                                 VolunteerConsent.DATA),
                  register=register, model=Volunteer, postcode=postcode,
                  municipality=municipality, interests=interests, fields=fields)


@transaction.atomic
def participant_apply(*, organisation, form_key, consents, language="nl", postcode,
                      municipality="", interests=(), **fields) -> Application:
    """Registers a participant who asked for a buddy themselves, "to confirm" (not yet on
    the waiting list), with the consents they gave; thanks them by their channel. Someone
    registered already becomes a task to merge. The same form twice is one application."""
    consents = set(consents)

    def register(**kwargs):
        participant = services.participant_intake(
            consents=sorted(consents),
            consents_refused=sorted(PARTICIPANT_CONSENTS - consents),
            referrer=Referrer.SELF, **kwargs)
        participant.status = ParticipantStatus.TO_CONFIRM
        participant.save(update_fields=["status", "updated_at"])
        return participant

    return _apply(organisation=organisation, kind=ApplicationKind.PARTICIPANT,
                  form_key=form_key, language=language, consents=consents,
                  consent_errors=_consent_errors(consents, PARTICIPANT_CONSENTS,
                                                 ConsentPurpose.DATA),
                  register=register, model=Participant, postcode=postcode,
                  municipality=municipality, interests=interests, fields=fields)


def _locked_duplicate(application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.DUPLICATE:
        raise ValidationError(_("This application was handled already."))
    return application


def _close(application, status, user) -> Application:
    application.status = status
    application.data = {}
    application.decided_at = timezone.now()
    application.decided_by = user
    application.save(update_fields=["status", "data", "decided_at", "decided_by"])
    for task in CoordinatorTask.objects.filter(
            organisation_id=application.organisation_id, kind=TaskKind.MERGE_APPLICATION,
            recipient_key=reach.key_of(application.person), done_at__isnull=True):
        notify.task_done(task=task, user=user)
    return application


@transaction.atomic
def application_merge(*, application, user) -> Application:
    """Copies a duplicate's contact details, languages, availability, interests (added to
    theirs) and, for a volunteer, motivation onto the registered person, then forgets
    what the form said; the task to merge is done."""
    application = _locked_duplicate(application)
    data, person = application.data, application.person
    is_volunteer = application.kind == ApplicationKind.VOLUNTEER
    fields = {name: data[name] for name in (VOLUNTEER_MERGED_FIELDS if is_volunteer
                                            else MERGED_FIELDS) if data.get(name)}
    if is_volunteer and data.get("motivation") and person.motivation:
        fields["motivation"] = f"{person.motivation}\n\n{data['motivation']}"
    if "languages" in fields:
        fields["languages"] = list(dict.fromkeys([*person.languages, *fields["languages"]]))
    interests = {*person.interests.values_list("pk", flat=True),
                 *Interest.objects.filter(pk__in=data.get("interests", []))
                 .values_list("pk", flat=True)}
    update = services.volunteer_update if is_volunteer else services.participant_update
    update(**{application.kind: person}, postcode=data.get("postcode") or None,
           municipality=data.get("municipality", ""),
           interests=Interest.objects.filter(pk__in=interests), **fields)
    if not is_volunteer:
        consents = set(application.consents)
        for purpose in sorted(PARTICIPANT_CONSENTS):
            services.participant_record_consent(
                participant=person, purpose=purpose, given=purpose in consents,
                recorded_by=user, note=_("From their own application"))
    return _close(application, ApplicationStatus.MERGED, user)


@transaction.atomic
def application_discard(*, application, user) -> Application:
    """Puts a duplicate aside without changing the registered person (it was nothing new,
    or not them); what the form said is forgotten and the task to merge is done."""
    application = _locked_duplicate(application)
    return _close(application, ApplicationStatus.DISCARDED, user)


@transaction.atomic
def participant_confirm(*, participant) -> Participant:
    """Puts a participant who applied themselves on the waiting list, waiting since the
    day they applied."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != ParticipantStatus.TO_CONFIRM:
        raise ValidationError(_("This person is not waiting for a confirmation."))
    participant.status = ParticipantStatus.WAITING
    participant.save(update_fields=["status", "updated_at"])
    versions.participants_changed(participant.organisation_id)
    return participant
