"""Intake and waiting-list changes: one function per state change, each in its own transaction.

Every function validates first and raises django's ValidationError (messages in the
user's language, keyed by field) before it writes: on error nothing is saved.

A function here locks at most one participant or one volunteer. Called inside a longer
transaction (proposals' match_confirm, duos' duo_close), it finds that row locked already or
comes in the one order of `matching/proposals/locks.py`: participants before volunteers.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import certificates, postcodes, versions
from .availability import FULL_WEEK
from .languages import is_known_language
from .models import (
    BuddyRole,
    ConsentPurpose,
    ConsentRecord,
    ContactChannel,
    Interest,
    InterestCategory,
    LifeArea,
    Participant,
    ParticipantStatus,
    Postcode,
    Volunteer,
    VolunteerStatus,
)
from .phones import is_mobile, parse_phone
from .privacy import consent_given

PROFILE_FIELDS = {
    "first_name", "last_name", "preferred_name", "birth_year", "age_range", "gender",
    "gender_description", "phone", "email", "contact_channel", "message_language",
    "languages", "interests_other", "availability", "mobility", "childcare", "budget",
}
PARTICIPANT_FIELDS = PROFILE_FIELDS | {
    "buddy_gender", "buddy_gender_strength", "buddy_age_min", "buddy_age_max",
    "buddy_age_strength", "buddy_lived_experience", "buddy_lived_experience_strength",
    "buddy_roles", "buddy_roles_other", "excluded_areas", "excluded_areas_other", "referrer",
    "referrer_detail", "intake_note", "waiting_since", "last_contact_on",
}
VOLUNTEER_FIELDS = PROFILE_FIELDS | {
    "motivation", "introduction", "capacity", "meeting_frequency", "available_from",
    "available_until",
    "intake_talk_on", "certificate_seen_on", "training_done_on", "lived_experience",
    "wish_gender", "wish_gender_strength", "wish_age_min", "wish_age_max", "wish_age_strength",
    "user",
}


class _Errors(dict):
    def add(self, field, message):
        self.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self:
            raise ValidationError(dict(self))


def _today():
    return timezone.localdate()


def _not_in_future(errors, field, value, label):
    if isinstance(value, datetime.date) and value > _today():
        errors.add(field, _("%(label)s cannot be in the future.") % {"label": label})


def _apply(obj, allowed, fields):
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name}")
        if name == "phone":
            # Parsed in _clean_profile, as Belgian or Dutch, with a clear message.
            obj._raw_phone = str(value or "")
            continue
        setattr(obj, name, value)


def _clean_profile(obj, *, organisation, postcode, municipality, interests, errors):
    """Checks what participants and volunteers share; fills postcode and phone."""
    if postcode is not None:
        if isinstance(postcode, Postcode):
            obj.postcode = postcode
        else:
            try:
                obj.postcode = postcodes.resolve(postcode, municipality or "")
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        errors.add(field, message)
    elif not obj.postcode_id:
        errors.add("postcode", _("Fill in the postcode."))
    raw_phone = getattr(obj, "_raw_phone", None)
    if raw_phone is not None:
        obj.phone = ""
        if raw_phone.strip():
            try:
                obj.phone = parse_phone(raw_phone)
            except ValidationError as exc:
                errors.add("phone", exc.messages[0])
    if (obj.contact_channel in (ContactChannel.SMS, ContactChannel.WHATSAPP)
            and "phone" not in errors):
        if not obj.phone:
            errors.add("phone", _("A mobile phone number is needed to reach them by SMS."))
        elif not is_mobile(obj.phone):
            errors.add("phone", _("This is not a mobile number: an SMS cannot reach it."))
    if obj.contact_channel == ContactChannel.CALL and not obj.phone and "phone" not in errors:
        errors.add("phone", _("A phone number is needed for the coordinator to call."))
    if obj.contact_channel == ContactChannel.EMAIL and not obj.email:
        errors.add("email", _("An e-mail address is needed to reach them by e-mail."))
    languages = [code.strip().lower() for code in (obj.languages or []) if code.strip()]
    unknown = [code for code in languages if not is_known_language(code)]
    if unknown:
        errors.add("languages", _("Unknown language code: %(codes)s. Use codes such as nl, "
                                  "fr, ar.") % {"codes": ", ".join(unknown)})
    obj.languages = list(dict.fromkeys(languages))
    if not (0 <= (obj.availability or 0) <= FULL_WEEK):
        errors.add("availability", _("The weekly availability is not valid."))
    year = _today().year
    if obj.birth_year and not (year - 110 <= obj.birth_year <= year - 12):
        errors.add("birth_year", _("%(year)s is not a plausible year of birth.")
                   % {"year": obj.birth_year})
    if interests is not None:
        foreign = [i for i in interests if i.organisation_id != organisation.pk]
        if foreign:
            errors.add("interests", _("This interest is not in your organisation's catalogue: "
                                      "%(names)s.") % {"names": ", ".join(map(str, foreign))})


def _run_full_clean(obj, errors, exclude=()):
    try:
        obj.full_clean(exclude=["organisation", "postcode", "phone", *exclude],
                       validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(field, []):
                    errors.add(field, message)


def _check_choices_list(errors, field, values, choices):
    wrong = [v for v in values or [] if v not in choices.values]
    if wrong:
        errors.add(field, _("Unknown choice: %(values)s.") % {"values": ", ".join(wrong)})


def _check_age_range(errors, low_field, low, high):
    if low is not None and high is not None and low > high:
        errors.add(low_field, _("The lowest age is higher than the highest age."))


def _validate_participant(participant, *, organisation, postcode, municipality, interests):
    errors = _Errors()
    _clean_profile(participant, organisation=organisation, postcode=postcode,
                   municipality=municipality, interests=interests, errors=errors)
    _not_in_future(errors, "waiting_since", participant.waiting_since, _("Waiting since"))
    _not_in_future(errors, "last_contact_on", participant.last_contact_on, _("Last contact"))
    _check_choices_list(errors, "buddy_roles", participant.buddy_roles, BuddyRole)
    _check_choices_list(errors, "excluded_areas", participant.excluded_areas, LifeArea)
    _check_age_range(errors, "buddy_age_min", participant.buddy_age_min,
                     participant.buddy_age_max)
    _run_full_clean(participant, errors)
    errors.raise_if_any()


def _record_consents(participant, consents, recorded_by, refused=()):
    consents, refused = list(consents or ()), list(refused or ())
    for purpose in consents + refused:
        if purpose not in ConsentPurpose.values:
            raise ValidationError({"consents": _("Unknown consent purpose.")})
    if set(consents) & set(refused):
        raise ValidationError({"consents": _("A purpose cannot be both agreed and refused.")})
    ConsentRecord.objects.bulk_create([
        ConsentRecord(participant=participant, purpose=purpose, given=given,
                      recorded_by=recorded_by)
        for purposes, given in ((consents, True), (refused, False))
        for purpose in purposes
    ])


@transaction.atomic
def participant_intake(
    *, organisation, postcode, municipality="", interests=(), consents=(),
    consents_refused=(), recorded_by=None, intake_key="", **fields,
) -> Participant:
    """Puts a new participant on the waiting list (waiting since today unless given),
    with the consents they gave and those they refused (a purpose in neither is not
    recorded). The same intake key twice creates one participant."""
    if intake_key:
        existing = Participant.objects.filter(
            organisation=organisation, intake_key=intake_key).first()
        if existing is not None:
            return existing
    fields.setdefault("waiting_since", _today())
    participant = Participant(organisation=organisation, intake_key=intake_key,
                              status=ParticipantStatus.WAITING)
    _apply(participant, PARTICIPANT_FIELDS, fields)
    interests = list(interests or ())
    _validate_participant(participant, organisation=organisation, postcode=postcode,
                          municipality=municipality, interests=interests)
    participant.save()
    participant.interests.set(interests)
    _record_consents(participant, consents, recorded_by, refused=consents_refused)
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_update(
    *, participant, postcode=None, municipality="", interests=None, **fields,
) -> Participant:
    """Changes a participant's profile and wishes (not their waiting-list status)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _apply(participant, PARTICIPANT_FIELDS, fields)
    if participant.referrer_detail and not consent_given(participant.pk,
                                                         ConsentPurpose.REFERRER):
        raise ValidationError({"referrer_detail": _(
            "This participant withdrew consent to contact with the referrer: leave the "
            "referrer's details empty.")})
    interests = list(interests) if interests is not None else None
    _validate_participant(participant, organisation=participant.organisation,
                          postcode=postcode, municipality=municipality, interests=interests)
    participant.save()
    if interests is not None:
        participant.interests.set(interests)
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_record_consent(*, participant, purpose, given, recorded_by=None, note=""):
    """Records that a participant agreed to (or withdrew consent for) one purpose. What a
    withdrawal stops: "SMS and e-mail", every message (notifications asks before sending);
    "share profile", their name and interests on the buddy's pages and messages (shown as
    "a participant"); "referrer", the referrer's contact details, which are blanked (the kind
    of referrer stays for the figures) and cannot be filled in again until they agree."""
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Unknown consent purpose.")})
    record = ConsentRecord.objects.create(participant=participant, purpose=purpose,
                                          given=given, recorded_by=recorded_by, note=note)
    if purpose == ConsentPurpose.REFERRER and not given:
        Participant.objects.filter(pk=participant.pk).update(referrer_detail="",
                                                             updated_at=timezone.now())
    return record


def _locked(participant):
    # Only inside a service's own transaction: a row lock outside one fails on PostgreSQL.
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _refuse_status(participant, allowed):
    if participant.status not in allowed:
        raise ValidationError(
            _("Not possible while the status is “%(status)s”.")
            % {"status": participant.get_status_display()}
        )


@transaction.atomic
def participant_pause(*, participant, check_back_on, reason="") -> Participant:
    """Pauses a participant at their own wish until a check-back date; keeps waiting_since."""
    participant = _locked(participant)
    if participant.status == ParticipantStatus.PAUSED:
        if participant.check_back_on == check_back_on:
            return participant
    else:
        _refuse_status(participant, [ParticipantStatus.WAITING])
    if not check_back_on:
        raise ValidationError({"check_back_on": _("Fill in when to check back.")})
    if check_back_on <= _today():
        raise ValidationError({"check_back_on": _("The check-back date must be in the future.")})
    participant.status = ParticipantStatus.PAUSED
    participant.check_back_on = check_back_on
    participant.save(update_fields=["status", "check_back_on", "updated_at"])
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_resume(*, participant) -> Participant:
    """Ends a pause: the participant waits again with their original waiting-since date."""
    participant = _locked(participant)
    if participant.status == ParticipantStatus.WAITING:
        return participant
    _refuse_status(participant, [ParticipantStatus.PAUSED])
    participant.status = ParticipantStatus.WAITING
    participant.check_back_on = None
    participant.save(update_fields=["status", "check_back_on", "updated_at"])
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_withdraw(*, participant, reason) -> Participant:
    """The participant leaves the project for good, with a reason; off the waiting list."""
    participant = _locked(participant)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": _("Fill in why they leave.")})
    if participant.status == ParticipantStatus.WITHDRAWN:
        return participant
    participant.status = ParticipantStatus.WITHDRAWN
    participant.withdrawal_reason = reason
    participant.check_back_on = None
    participant.left_on = _today()
    participant.save(update_fields=["status", "withdrawal_reason", "check_back_on",
                                    "left_on", "updated_at"])
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_return_to_waiting_list(*, participant) -> Participant:
    """Puts a participant back on the waiting list: after a duo, with the original
    waiting-since date; after leaving for good, from today."""
    participant = _locked(participant)
    if participant.status == ParticipantStatus.WAITING:
        return participant
    _refuse_status(participant, [ParticipantStatus.MATCHED, ParticipantStatus.WITHDRAWN])
    if participant.status == ParticipantStatus.WITHDRAWN:
        participant.waiting_since = _today()
        participant.withdrawal_reason = ""
    participant.status = ParticipantStatus.WAITING
    participant.left_on = None  # back: the retention clock stops
    participant.save(update_fields=["status", "waiting_since", "withdrawal_reason",
                                    "left_on", "updated_at"])
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_mark_matched(*, participant) -> Participant:
    """Takes a participant off the waiting list because they have a buddy now (idempotent)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == ParticipantStatus.MATCHED:
        return participant
    if participant.status not in (ParticipantStatus.WAITING, ParticipantStatus.PROPOSAL_OPEN,
                                  ParticipantStatus.PAUSED):
        raise ValidationError(_("This participant has left the project."))
    participant.status = ParticipantStatus.MATCHED
    participant.check_back_on = None
    participant.save(update_fields=["status", "check_back_on", "updated_at"])
    versions.participants_changed(participant.organisation_id)
    return participant


@transaction.atomic
def participant_record_contact(*, participant, on=None) -> Participant:
    """Notes the day of the last contact with a participant."""
    on = on or _today()
    if on > _today():
        raise ValidationError({"last_contact_on": _("Last contact cannot be in the future.")})
    participant = _locked(participant)
    if participant.last_contact_on is None or on > participant.last_contact_on:
        participant.last_contact_on = on
        participant.save(update_fields=["last_contact_on", "updated_at"])
    return participant


def _validate_volunteer(volunteer, *, organisation, postcode, municipality, interests,
                        certificate_seen=None):
    errors = _Errors()
    _clean_profile(volunteer, organisation=organisation, postcode=postcode,
                   municipality=municipality, interests=interests, errors=errors)
    if certificate_seen and not volunteer.certificate_seen_on:
        errors.add("certificate_seen_on", _("Fill in the date of the certificate of good "
                                            "conduct (model 2) you saw."))
    for name, label in (("intake_talk_on", _("The intake talk")),
                        ("certificate_seen_on", _("The certificate date")),
                        ("training_done_on", _("The training"))):
        _not_in_future(errors, name, getattr(volunteer, name), label)
    if (volunteer.available_from and volunteer.available_until
            and volunteer.available_from > volunteer.available_until):
        errors.add("available_until", _("The end of the period is before its start."))
    _check_age_range(errors, "wish_age_min", volunteer.wish_age_min, volunteer.wish_age_max)
    volunteer.certificate_valid_until = certificates.valid_until(organisation.pk,
                                                                 volunteer.certificate_seen_on)
    last_name = (volunteer.last_name or "").strip()
    if len(last_name) > 1 and last_name.lower() in (volunteer.introduction or "").lower():
        # Participants read the introduction: first name only, for the volunteer's privacy.
        errors.add("introduction", _("Participants read this text: use the first name only, "
                                     "not %(name)s.") % {"name": last_name})
    if volunteer.user_id and (volunteer.user.organisation_id != organisation.pk
                              or volunteer.user.role != "volunteer"):
        errors.add("user", _("This account is not a volunteer account of your organisation."))
    _run_full_clean(volunteer, errors, exclude=["user"])
    errors.raise_if_any()


@transaction.atomic
def volunteer_intake(
    *, organisation, postcode, municipality="", interests=(), intake_key="",
    certificate_seen=None, **fields,
) -> Volunteer:
    """Registers a new volunteer; they can be proposed once ready (see volunteer_mark_ready)."""
    if intake_key:
        existing = Volunteer.objects.filter(
            organisation=organisation, intake_key=intake_key).first()
        if existing is not None:
            return existing
    volunteer = Volunteer(organisation=organisation, intake_key=intake_key)
    _apply(volunteer, VOLUNTEER_FIELDS, fields)
    interests = list(interests or ())
    _validate_volunteer(volunteer, organisation=organisation, postcode=postcode,
                        municipality=municipality, interests=interests,
                        certificate_seen=certificate_seen)
    volunteer.save()
    volunteer.interests.set(interests)
    versions.volunteers_changed(volunteer.organisation_id, [volunteer.pk])
    return volunteer


@transaction.atomic
def volunteer_update(
    *, volunteer, postcode=None, municipality="", interests=None, certificate_seen=None,
    **fields,
) -> Volunteer:
    """Changes a volunteer's profile, wishes, capacity or readiness dates."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _apply(volunteer, VOLUNTEER_FIELDS, fields)
    interests = list(interests) if interests is not None else None
    _validate_volunteer(volunteer, organisation=volunteer.organisation, postcode=postcode,
                        municipality=municipality, interests=interests,
                        certificate_seen=certificate_seen)
    volunteer.save()
    if interests is not None:
        volunteer.interests.set(interests)
    versions.volunteers_changed(volunteer.organisation_id, [volunteer.pk])
    return volunteer


@transaction.atomic
def volunteer_mark_ready(
    *, volunteer, intake_talk_on, certificate_seen_on, training_done_on,
) -> Volunteer:
    """Records the intake talk, the certificate (model 2) and the training: the volunteer
    is ready (an applicant becomes active) and can be proposed while they have free
    capacity."""
    errors = _Errors()
    if not intake_talk_on:
        errors.add("intake_talk_on", _("Fill in the date of the intake talk."))
    if not certificate_seen_on:
        errors.add("certificate_seen_on", _("Fill in the date of the certificate of good "
                                            "conduct (model 2) you saw."))
    if not training_done_on:
        errors.add("training_done_on", _("Fill in the date of the basic training."))
    errors.raise_if_any()
    volunteer = volunteer_update(volunteer=volunteer, intake_talk_on=intake_talk_on,
                                 certificate_seen_on=certificate_seen_on,
                                 training_done_on=training_done_on)
    if volunteer.status == VolunteerStatus.APPLIED:  # screened: an applicant no more
        volunteer.status = VolunteerStatus.ACTIVE
        volunteer.save(update_fields=["status", "updated_at"])
    return volunteer


@transaction.atomic
def volunteer_set_status(*, volunteer, status) -> Volunteer:
    """Pauses, stops or reactivates a volunteer; only active volunteers are proposed."""
    if status not in VolunteerStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if status == VolunteerStatus.STOPPED:
        # Stopping twice keeps the first day: the retention clock counts from it.
        if volunteer.status != VolunteerStatus.STOPPED or volunteer.left_on is None:
            volunteer.left_on = _today()
    else:
        volunteer.left_on = None
    volunteer.status = status
    volunteer.save(update_fields=["status", "left_on", "updated_at"])
    versions.volunteers_changed(volunteer.organisation_id, [volunteer.pk])
    return volunteer


def _validate_labels(obj):
    errors = _Errors()
    _run_full_clean(obj, errors, exclude=["category"])
    errors.raise_if_any()


@transaction.atomic
def interest_category_save(*, organisation, category=None, **labels) -> InterestCategory:
    """Creates or renames a category of the organisation's interest catalogue."""
    category = category or InterestCategory(organisation=organisation)
    for name, value in labels.items():
        setattr(category, name, value)
    _validate_labels(category)
    category.save()
    return category


@transaction.atomic
def interest_save(*, organisation, category, interest=None, **fields) -> Interest:
    """Creates or changes an interest of the organisation's catalogue (never another's)."""
    if category.organisation_id != organisation.pk:
        raise ValidationError({"category": _("This category is not in your organisation's "
                                             "catalogue.")})
    interest = interest or Interest(organisation=organisation)
    interest.category = category
    for name, value in fields.items():
        setattr(interest, name, value)
    _validate_labels(interest)
    duplicate = Interest.objects.filter(organisation=organisation, key=interest.key).exclude(
        pk=interest.pk).exists()
    if duplicate:
        raise ValidationError({"key": _("Another interest already has this key.")})
    interest.save()
    versions.proposals_changed(organisation)  # the labels on the participant's page
    return interest


def shortlists_changed(organisation, volunteer_ids=None) -> None:
    """Something short lists are built from changed outside matching (a duo ended and a
    volunteer's place came free): every process updates those volunteers' rows of its
    block (all of it without `volunteer_ids`)."""
    versions.volunteers_changed(organisation, volunteer_ids)


# What a volunteer changes on their own page (/me/): how to reach them, what they speak and
# like, when they can; never their readiness, capacity or the coordinator's notes.
OWN_FIELDS = {"availability", "languages", "contact_channel", "message_language",
              "meeting_frequency"}
# How far ahead a volunteer can pause on their own page.
LONGEST_PAUSE = datetime.timedelta(days=2 * 366)


@transaction.atomic
def volunteer_update_own(*, volunteer, interests=None, **fields) -> Volunteer:
    """A volunteer changes their availability, languages, interests or how to reach them;
    short lists follow (volunteer_update announces it to matching)."""
    unexpected = set(fields) - OWN_FIELDS
    if unexpected:
        raise TypeError(f"a volunteer does not change {sorted(unexpected)} themselves")
    return volunteer_update(volunteer=volunteer, interests=interests, **fields)


@transaction.atomic
def volunteer_pause_until(*, volunteer, until) -> Volunteer:
    """A volunteer is not available until `until` (not proposed before it), then comes
    back by themselves; their duos go on."""
    today = _today()
    if until is None or until <= today:
        raise ValidationError({"until": _("Choose a day after today.")})
    if until > today + LONGEST_PAUSE:
        raise ValidationError({"until": _("Choose a day within two years.")})
    return volunteer_update(volunteer=volunteer, available_from=until)


@transaction.atomic
def volunteer_come_back(*, volunteer) -> Volunteer:
    """Ends a volunteer's pause today: they can be proposed again."""
    return volunteer_update(volunteer=volunteer, available_from=None)
