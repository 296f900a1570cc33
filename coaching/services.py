"""Coaching changes: one function per state change, each in its own transaction.

Messages go out through `coaching.messaging`, written in the same transaction
(notifications' outbox) and sent only after it commits. Every
function validates first and raises django's ValidationError (keyed by field) before it
writes: on error nothing is saved and nobody is told.

Seats: every function that gives or takes a seat of a session locks the session row first
(`select_for_update`), so two people answering yes at once for the last seat are handled
one after the other and exactly one of them gets it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buddy.dates import EARLIEST, LATEST
from matching.intake.models import Participant, ParticipantStatus, Volunteer, VolunteerStatus
from matching.intake.services import volunteer_update

from . import calendar, messaging
from .models import (
    Answer,
    AnswerChannel,
    Attendance,
    Audience,
    CoachingContact,
    CoachingSettings,
    ContactForm,
    IntervisionSession,
    Invitation,
    SessionNote,
    SessionSeries,
    SessionStatus,
    TrainingCompletion,
    TrainingModule,
)

THIS = "this"
REST_OF_SERIES = "rest_of_series"
SCOPES = (THIS, REST_OF_SERIES)
MAX_SESSIONS_IN_SERIES = 52
SESSION_FIELDS = {
    "topic", "starts_at", "ends_at", "place", "online_link", "facilitator", "audience",
    "capacity", "theme_description",
}
# A change of these tells everyone who said yes or maybe.
TIME_AND_PLACE = ("starts_at", "ends_at", "place", "online_link")
# A change of these makes calendars update the event (a higher SEQUENCE).
CALENDAR_FIELDS = ("topic", "starts_at", "ends_at", "place", "online_link",
                   "theme_description")
ANSWERS = (Answer.YES, Answer.NO, Answer.MAYBE)


class _Errors(dict):
    def add(self, field, message):
        self.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self:
            raise ValidationError(dict(self))


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


# Sessions and series ---------------------------------------------------------------------


def _outside_the_calendar(moment) -> str:
    """Django's own message when a session's moment falls outside the years people plan in
    (a typing error such as the year 22), "" when it is fine or empty."""
    if not moment:
        return ""
    try:
        day = timezone.localtime(moment).date()
        MinValueValidator(EARLIEST)(day)
        MaxValueValidator(LATEST)(day)
    except ValidationError as exc:
        return exc.messages[0]
    except (OverflowError, ValueError):  # beyond what a date can hold in this time zone
        return str(MaxValueValidator(LATEST).message) % {"limit_value": LATEST}
    return ""


def _validate_session(session, chosen_volunteers, chosen_participants):
    errors = _Errors()
    organisation_id = session.organisation_id
    if not (session.topic or "").strip():
        errors.add("topic", _("Fill in the topic."))
    if not session.starts_at:
        errors.add("starts_at", _("Fill in when the session starts."))
    if not session.ends_at:
        errors.add("ends_at", _("Fill in when the session ends."))
    for name in ("starts_at", "ends_at"):
        if message := _outside_the_calendar(getattr(session, name)):
            errors.add(name, message)
    # Start and end are compared only when both are there and inside the calendar.
    both_fine = "starts_at" not in errors and "ends_at" not in errors
    if both_fine and session.ends_at <= session.starts_at:
        errors.add("ends_at", _("The session must end after it starts."))
    if not (session.place or "").strip() and not session.online_link:
        errors.add("place", _("Fill in an address or an online link."))
    if session.capacity is not None and session.capacity < 1:
        errors.add("capacity", _("A session has at least one seat, or leave it empty."))
    if session.audience not in Audience.values:
        errors.add("audience", _("Unknown audience."))
    if session.facilitator_id and session.facilitator.organisation_id != organisation_id:
        errors.add("facilitator", _("The facilitator must belong to your organisation."))
    people = list(chosen_volunteers or ()) + list(chosen_participants or ())
    if any(person.organisation_id != organisation_id for person in people):
        errors.add("audience", _("Only people of your organisation can be invited."))
    if session.audience == Audience.CHOSEN and not people:
        errors.add("audience", _("Choose the volunteers and participants to invite."))
    if session.online_link:
        try:
            session.clean_fields(exclude=[f.name for f in session._meta.fields
                                          if f.name != "online_link"])
        except ValidationError as exc:
            for message in exc.message_dict.get("online_link", []):
                errors.add("online_link", message)
    errors.raise_if_any()


def _set_fields(session, fields):
    for name, value in fields.items():
        if name not in SESSION_FIELDS:
            raise TypeError(f"unexpected field {name}")
        setattr(session, name, value)


def _save_people(session, chosen_volunteers, chosen_participants):
    if chosen_volunteers is not None:
        session.chosen_volunteers.set(chosen_volunteers)
    if chosen_participants is not None:
        session.chosen_participants.set(chosen_participants)


@transaction.atomic
def session_create(
    *, organisation, chosen_volunteers=(), chosen_participants=(), series=None, **fields,
) -> IntervisionSession:
    """Plans one intervision session; nobody is invited until invitations_send."""
    session = IntervisionSession(organisation=organisation, series=series)
    _set_fields(session, fields)
    chosen_volunteers, chosen_participants = list(chosen_volunteers), list(chosen_participants)
    _validate_session(session, chosen_volunteers, chosen_participants)
    session.save()
    _save_people(session, chosen_volunteers, chosen_participants)
    return session


def _shift_local(moment, weeks=0, delta=datetime.timedelta(0)):
    """`moment` moved by whole weeks and a wall-clock delta, keeping the local time of day
    across daylight-saving changes (18:00 stays 18:00)."""
    local = timezone.localtime(moment).replace(tzinfo=None)
    return timezone.make_aware(local + datetime.timedelta(weeks=weeks) + delta)


def series_dates(starts_at, interval_weeks, until=None, count=None) -> list:
    """The start of every session of a series (at most MAX_SESSIONS_IN_SERIES)."""
    starts = []
    limit = min(count or MAX_SESSIONS_IN_SERIES, MAX_SESSIONS_IN_SERIES)
    while len(starts) < limit:
        start = _shift_local(starts_at, weeks=interval_weeks * len(starts))
        if until and timezone.localtime(start).date() > until:
            break
        starts.append(start)
    return starts


@transaction.atomic
def series_create(
    *, organisation, interval_weeks, until=None, count=None, created_by=None,
    chosen_volunteers=(), chosen_participants=(), **fields,
) -> SessionSeries:
    """Plans a series of sessions every N weeks until a date or for a number of times."""
    errors = _Errors()
    if not interval_weeks or interval_weeks < 1:
        errors.add("interval_weeks", _("Repeat at least every week."))
    if not until and not count:
        errors.add("until", _("Fill in an end date or a number of sessions."))
    if count is not None and not (2 <= count <= MAX_SESSIONS_IN_SERIES):
        errors.add("count", _("A series has between 2 and %(max)s sessions.")
                   % {"max": MAX_SESSIONS_IN_SERIES})
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if until and starts_at and until < timezone.localtime(starts_at).date():
        errors.add("until", _("The end date is before the first session."))
    errors.raise_if_any()
    series = SessionSeries.objects.create(
        organisation=organisation, topic=fields.get("topic", ""), interval_weeks=interval_weeks,
        until=until, count=count, created_by=created_by,
    )
    duration = (ends_at - starts_at) if starts_at and ends_at else None
    dates = series_dates(starts_at, interval_weeks, until, count) if starts_at else [None]
    for start in dates:
        session_fields = dict(fields, starts_at=start,
                              ends_at=start + duration if duration is not None else ends_at)
        session_create(organisation=organisation, series=series,
                       chosen_volunteers=chosen_volunteers,
                       chosen_participants=chosen_participants, **session_fields)
    return series


def _lock(session) -> IntervisionSession:
    return IntervisionSession.objects.select_for_update().select_related(
        "organisation").get(pk=session.pk)


def _refuse_cancelled(session):
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is cancelled."))


@transaction.atomic
def session_update(
    *, session, scope=THIS, chosen_volunteers=None, chosen_participants=None, **fields,
) -> list[IntervisionSession]:
    """Changes this session, or this one and the rest of its series (explicit `scope`); a new
    time or place is told at once to everyone who said yes or maybe. Returns the changed
    sessions. A new start time is applied to the rest of the series as the same shift."""
    if scope not in SCOPES:
        raise ValueError(scope)
    session = _lock(session)
    _refuse_cancelled(session)
    if scope == REST_OF_SERIES and not session.series_id:
        raise ValidationError({"scope": _("This session is not part of a series.")})
    targets = [session]
    if scope == REST_OF_SERIES:
        targets += list(
            IntervisionSession.objects.select_for_update().select_related("organisation")
            .filter(series_id=session.series_id, status=SessionStatus.PLANNED,
                    starts_at__gt=session.starts_at)
            .order_by("starts_at")
        )
    shift = datetime.timedelta(0)
    if fields.get("starts_at") and fields["starts_at"] != session.starts_at:
        shift = (timezone.localtime(fields["starts_at"]).replace(tzinfo=None)
                 - timezone.localtime(session.starts_at).replace(tzinfo=None))
    new_start = fields.get("starts_at") or session.starts_at
    duration = (fields.get("ends_at") or session.ends_at) - new_start
    changed = []
    for target in targets:
        before = {name: getattr(target, name) for name in SESSION_FIELDS}
        target_fields = dict(fields)
        if target is not session:
            # Later sessions keep their own date: they move by the same shift.
            start = _shift_local(target.starts_at, delta=shift)
            target_fields["starts_at"] = start
            target_fields["ends_at"] = start + duration
        _set_fields(target, target_fields)
        _validate_session(
            target,
            chosen_volunteers if chosen_volunteers is not None
            else target.chosen_volunteers.all(),
            chosen_participants if chosen_participants is not None
            else target.chosen_participants.all(),
        )
        differs = {name for name in SESSION_FIELDS if getattr(target, name) != before[name]}
        if differs & set(CALENDAR_FIELDS):
            target.sequence += 1
        target.save()
        _save_people(target, chosen_volunteers, chosen_participants)
        if differs & set(TIME_AND_PLACE) and target.ends_at > _now():
            _tell_yes_and_maybe(target, "tell_session_changed", calendar.REQUEST)
        if "capacity" in differs:
            _fill_free_seats(target)
        changed.append(target)
    return changed


@transaction.atomic
def session_cancel(*, session, scope=THIS, reason="") -> list[IntervisionSession]:
    """Cancels this session, or the rest of its series; everyone who said yes or maybe is
    told at once (volunteers' calendars remove the event)."""
    if scope not in SCOPES:
        raise ValueError(scope)
    session = _lock(session)
    if scope == REST_OF_SERIES and not session.series_id:
        raise ValidationError({"scope": _("This session is not part of a series.")})
    if session.ends_at <= _now():
        raise ValidationError(_("This session is over."))
    targets = [session]
    if scope == REST_OF_SERIES:
        targets += list(
            IntervisionSession.objects.select_for_update().select_related("organisation")
            .filter(series_id=session.series_id, starts_at__gt=session.starts_at)
            .order_by("starts_at")
        )
    cancelled = []
    for target in targets:
        if target.status == SessionStatus.CANCELLED:
            continue
        target.status = SessionStatus.CANCELLED
        target.cancellation_reason = (reason or "").strip()[:300]
        target.sequence += 1
        target.save(update_fields=["status", "cancellation_reason", "sequence", "updated_at"])
        _tell_yes_and_maybe(target, "tell_session_cancelled", calendar.CANCEL)
        cancelled.append(target)
    return cancelled


# Invitations and answers ------------------------------------------------------------------


def audience_members(session) -> tuple[list, list]:
    """(volunteers, participants) the session is for.

    Volunteers: the active ones. Participants: those with a buddy (status matched): until
    duos exist, "participants" means the participants of current duos.
    """
    volunteers = Volunteer.objects.none()
    participants = Participant.objects.none()
    organisation = session.organisation_id
    if session.audience in (Audience.VOLUNTEERS, Audience.BOTH):
        volunteers = Volunteer.objects.filter(organisation_id=organisation,
                                              status=VolunteerStatus.ACTIVE)
    if session.audience in (Audience.PARTICIPANTS, Audience.BOTH):
        participants = Participant.objects.filter(organisation_id=organisation,
                                                  status=ParticipantStatus.MATCHED)
    if session.audience == Audience.CHOSEN:
        volunteers = session.chosen_volunteers.all()
        participants = session.chosen_participants.all()
    return list(volunteers.order_by("id")), list(participants.order_by("id"))


def _ics(session, invitation, method):
    if not invitation.volunteer_id or not invitation.volunteer.email:
        return None
    organisation = session.organisation
    return calendar.session_ics(
        session, method=method, attendee_email=invitation.volunteer.email,
        organiser_email=organisation.contact_email, organiser_name=organisation.name,
    )


def _message(function_name, invitation_id, *args):
    # notifications writes the message in this transaction (its outbox) and sends it after
    # the commit: a rolled-back change tells nobody, a crash after the commit loses nothing.
    # Looked up at call time so that a test double set on the module sees the call.
    getattr(messaging, function_name)(invitation_id, *args)


def _invite(session, invitation):
    ics = _ics(session, invitation, calendar.REQUEST)
    if ics is not None:
        _message("invite_volunteer_by_email", invitation.pk, ics)
    else:
        _message("invite_by_sms", invitation.pk)


def _tell(session, invitation, function_name, method):
    _message(function_name, invitation.pk, _ics(session, invitation, method))


def _tell_yes_and_maybe(session, function_name, method):
    invitations = (
        Invitation.objects.filter(session=session, answer__in=[Answer.YES, Answer.MAYBE])
        .select_related("volunteer").order_by("id")
    )
    for invitation in invitations:
        _tell(session, invitation, function_name, method)


@transaction.atomic
def invitations_send(*, session) -> list[Invitation]:
    """Invites everyone of the session's audience who is not invited yet (never twice):
    volunteers by e-mail with the calendar attachment, participants by SMS."""
    session = _lock(session)
    _refuse_cancelled(session)
    if session.starts_at <= _now():
        raise ValidationError(_("This session has already started."))
    volunteers, participants = audience_members(session)
    invited_volunteers = set(Invitation.objects.filter(
        session=session, volunteer__isnull=False).values_list("volunteer_id", flat=True))
    invited_participants = set(Invitation.objects.filter(
        session=session, participant__isnull=False).values_list("participant_id", flat=True))
    new = [Invitation(session=session, volunteer=v) for v in volunteers
           if v.pk not in invited_volunteers]
    new += [Invitation(session=session, participant=p) for p in participants
            if p.pk not in invited_participants]
    created = []
    for invitation in new:
        invitation.save()
        _invite(session, invitation)
        created.append(invitation)
    return created


@transaction.atomic
def invitation_add(*, session, volunteer=None, participant=None) -> Invitation:
    """Invites one more volunteer or participant (once); they are told like the others
    (a session already over only records the invitation, for its attendance)."""
    session = _lock(session)
    _refuse_cancelled(session)
    person = volunteer or participant
    if (volunteer is None) == (participant is None):
        raise ValueError("one of volunteer or participant")
    if person.organisation_id != session.organisation_id:
        raise ValidationError(_("Only people of your organisation can be invited."))
    lookup = {"volunteer": volunteer} if volunteer else {"participant": participant}
    invitation = Invitation.objects.filter(session=session, **lookup).first()
    if invitation is None:
        invitation = Invitation.objects.create(session=session, **lookup)
        if session.starts_at > _now():
            _invite(session, invitation)
    return invitation


def _seated_count(session) -> int:
    return Invitation.objects.filter(session=session, answer=Answer.YES,
                                     waiting_position__isnull=True).count()


def _fill_free_seats(session) -> list[Invitation]:
    """Gives free seats to the first on the waiting list, in order; each is told."""
    if session.capacity is None:
        free = None
    else:
        free = session.capacity - _seated_count(session)
        if free <= 0:
            return []
    waiting = Invitation.objects.filter(session=session, waiting_position__isnull=False
                                        ).select_related("volunteer").order_by(
        "waiting_position", "id")
    moved = list(waiting if free is None else waiting[:free])
    for invitation in moved:
        invitation.waiting_position = None
        invitation.save(update_fields=["waiting_position"])
        _tell(session, invitation, "tell_moved_up", calendar.REQUEST)
    return moved


@transaction.atomic
def invitation_answer(invitation, answer, channel, recorded_by=None) -> Invitation:
    """Records a yes, no or maybe (by link, SMS reply, coordinator or API): a yes beyond the
    seats goes on the waiting list; a seat given up goes to the first waiting, who is told."""
    if answer not in ANSWERS:
        raise ValidationError({"answer": _("Answer yes, no or maybe.")})
    if channel not in AnswerChannel.values:
        raise ValueError(channel)
    session = _lock(invitation.session)
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("volunteer").get(pk=invitation.pk))
    _refuse_cancelled(session)
    if session.ends_at <= _now():
        raise ValidationError(_("This session is over."))
    if invitation.answer == answer:
        return invitation  # a double click or a repeated reply changes nothing
    had_seat = invitation.answer == Answer.YES and invitation.waiting_position is None
    invitation.answer = answer
    invitation.answered_at = _now()
    invitation.channel = channel
    invitation.recorded_by = recorded_by
    invitation.waiting_position = None
    if answer == Answer.YES and session.capacity is not None:
        if _seated_count(session) >= session.capacity:
            last = Invitation.objects.filter(session=session).aggregate(
                last=Max("waiting_position"))["last"] or 0
            invitation.waiting_position = last + 1
    invitation.save()
    if had_seat:
        _fill_free_seats(session)
    return invitation


def sms_reply_received(*, organisation, answer, invitation_id=None, phone=None
                       ) -> Invitation | None:
    """Records an answer sent by SMS reply (already read as yes, no or maybe): on the
    invitation the SMS asked about when it is known, else on the latest invitation, to a
    session still to come, of the person with this phone number. None when there is none
    to answer (unknown number, another organisation's, a cancelled or past session).

    `organisation` is an Organisation or its id. Wiring with notifications (its reply hook
    gives the question's subject, which coaching sets to the invitation id):
    `sms_reply_received(organisation=reply.organisation_id, answer=reply.answer,
    invitation_id=int(reply.subject))`.
    """
    if invitation_id is None and not phone:
        raise ValueError("an invitation id or a phone number")
    invitations = (
        Invitation.objects.filter(
            session__organisation=organisation, session__status=SessionStatus.PLANNED,
            session__ends_at__gt=_now(),
        )
        .select_related("session", "volunteer", "participant")
        .order_by("-created_at", "-id")
    )
    if phone:
        invitations = invitations.filter(_phone_is(str(phone)))
    if invitation_id is not None:
        invitations = invitations.filter(pk=invitation_id)
    invitation = invitations.first()
    if invitation is None:
        return None
    return invitation_answer(invitation, answer, AnswerChannel.SMS)


def _phone_is(phone):
    return Q(volunteer__phone=phone) | Q(participant__phone=phone)


@transaction.atomic
def invitation_remind(*, invitation, morning=False, now=None) -> bool:
    """Reminds one invitee with a seat or a maybe of their session (a few days before, or on
    the morning); the early reminder is noted so that it goes out once. Returns whether it
    reminded (not for a cancelled, past or declined one)."""
    now = now or _now()
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("session__organisation", "volunteer").get(pk=invitation.pk))
    session = invitation.session
    if (session.status != SessionStatus.PLANNED or session.starts_at <= now
            or invitation.answer not in (Answer.YES, Answer.MAYBE)
            or invitation.waiting_position is not None):
        return False
    if morning:
        _tell(session, invitation, "remind_on_the_day", calendar.REQUEST)
        return True
    if invitation.reminded_at is not None:
        return False
    invitation.reminded_at = now
    invitation.save(update_fields=["reminded_at"])
    _tell(session, invitation, "remind", calendar.REQUEST)
    return True


@transaction.atomic
def invitation_nudge(*, invitation, now=None) -> bool:
    """Invites again someone who has not answered a session that is coming soon (the
    invitation once more, as a message of its own). Returns whether it did (not once they
    answered)."""
    now = now or _now()
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("session__organisation", "volunteer").get(pk=invitation.pk))
    session = invitation.session
    if (session.status != SessionStatus.PLANNED or session.starts_at <= now
            or invitation.answer != Answer.NONE):
        return False
    # Its own message: under the invitation's key notifications would take it for the
    # invitation, already sent, and send nothing.
    _tell(session, invitation, "invite_again", calendar.REQUEST)
    return True


# Attendance and notes ---------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, session, marks, recorded_by=None) -> list[Attendance]:
    """Records who was there: `marks` maps invitation ids to present (True) or absent."""
    session = _lock(session)
    _refuse_cancelled(session)
    if timezone.localtime(session.starts_at).date() > _today():
        raise ValidationError(_("Attendance is recorded from the day of the session."))
    invitations = {
        inv.pk: inv for inv in Invitation.objects.filter(session=session, pk__in=list(marks))
    }
    if len(invitations) != len(set(marks)):
        raise ValidationError(_("Someone on this list is not invited to this session."))
    existing = list(Attendance.objects.filter(session=session))
    by_person = {(a.volunteer_id, a.participant_id): a for a in existing}
    saved = []
    for invitation_id, present in marks.items():
        invitation = invitations[invitation_id]
        key = (invitation.volunteer_id, invitation.participant_id)
        attendance = by_person.get(key) or Attendance(
            session=session, volunteer_id=invitation.volunteer_id,
            participant_id=invitation.participant_id,
        )
        attendance.present = bool(present)
        attendance.recorded_by = recorded_by
        attendance.save()
        saved.append(attendance)
    return saved


@transaction.atomic
def note_save(*, session, written_by=None, themes="", successes="", pitfalls="",
              follow_up="") -> SessionNote:
    """Saves what was shared at a session (themes, successes, pitfalls, follow-up actions)."""
    session = _lock(session)
    _refuse_cancelled(session)
    note = SessionNote.objects.filter(session=session).first() or SessionNote(session=session)
    note.themes, note.successes = themes.strip(), successes.strip()
    note.pitfalls, note.follow_up = pitfalls.strip(), follow_up.strip()
    note.written_by = written_by
    note.save()
    return note


# Coaching contacts ------------------------------------------------------------------------


@transaction.atomic
def coaching_contact_record(
    *, organisation, coordinator, volunteer, happened_on, form, participant=None, note="",
) -> CoachingContact:
    """Records a one-to-one coaching contact with a volunteer, or with a duo."""
    errors = _Errors()
    if volunteer.organisation_id != organisation.pk or (
            participant is not None and participant.organisation_id != organisation.pk):
        errors.add("volunteer", _("Only people of your organisation can be coached."))
    if not happened_on:
        errors.add("happened_on", _("Fill in the date."))
    elif happened_on > _today():
        errors.add("happened_on", _("The date cannot be in the future."))
    if form not in ContactForm.values:
        errors.add("form", _("Choose visit, call or message."))
    note = (note or "").strip()
    if len(note) > 500:
        errors.add("note", _("Keep the note short (at most 500 characters)."))
    errors.raise_if_any()
    return CoachingContact.objects.create(
        organisation=organisation, coordinator=coordinator, volunteer=volunteer,
        participant=participant, happened_on=happened_on, form=form, note=note,
    )


# Training ---------------------------------------------------------------------------------


@transaction.atomic
def training_module_save(*, organisation, module=None, name_nl, name_fr="", name_en="",
                         is_basic=False) -> TrainingModule:
    """Creates or renames a training module; at most one is the basic training."""
    errors = _Errors()
    if not (name_nl or "").strip():
        errors.add("name_nl", _("Fill in the Dutch name."))
    if is_basic and TrainingModule.objects.filter(
            organisation=organisation, is_basic=True).exclude(
            pk=getattr(module, "pk", None)).exists():
        errors.add("is_basic", _("Another module is already the basic training."))
    errors.raise_if_any()
    module = module or TrainingModule(organisation=organisation)
    module.name_nl, module.name_fr, module.name_en = name_nl.strip(), name_fr, name_en
    module.is_basic = is_basic
    module.save()
    return module


@transaction.atomic
def training_complete(*, module, volunteer, completed_on, recorded_by=None
                      ) -> TrainingCompletion:
    """Records that a volunteer completed a training module; the basic training also sets
    the volunteer's training date in matching, which counts toward being ready."""
    errors = _Errors()
    if volunteer.organisation_id != module.organisation_id:
        errors.add("volunteer", _("This volunteer is not in your organisation."))
    if not completed_on:
        errors.add("completed_on", _("Fill in the date."))
    elif completed_on > _today():
        errors.add("completed_on", _("The date cannot be in the future."))
    errors.raise_if_any()
    completion = TrainingCompletion.objects.select_for_update().filter(
        module=module, volunteer=volunteer).first()
    previous = completion.completed_on if completion else None
    completion = completion or TrainingCompletion(module=module, volunteer=volunteer)
    completion.completed_on = completed_on
    completion.recorded_by = recorded_by
    completion.save()
    if module.is_basic:
        volunteer = Volunteer.objects.get(pk=volunteer.pk)
        if volunteer.training_done_on is None or volunteer.training_done_on == previous:
            volunteer_update(volunteer=volunteer, training_done_on=completed_on)
    return completion


# Settings ---------------------------------------------------------------------------------


@transaction.atomic
def coaching_settings_update(*, organisation, months_without_intervision,
                             reminder_lead_days) -> CoachingSettings:
    """Changes when a volunteer may need support and how early reminders go out."""
    errors = _Errors()
    if not months_without_intervision or not (1 <= months_without_intervision <= 36):
        errors.add("months_without_intervision", _("Between 1 and 36 months."))
    if reminder_lead_days is None or not (0 <= reminder_lead_days <= 30):
        errors.add("reminder_lead_days", _("Between 0 and 30 days."))
    errors.raise_if_any()
    settings, _created = CoachingSettings.objects.select_for_update().get_or_create(
        organisation=organisation)
    settings.months_without_intervision = months_without_intervision
    settings.reminder_lead_days = reminder_lead_days
    settings.save()
    return settings
