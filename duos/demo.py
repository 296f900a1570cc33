"""Demo duos in each state, built through the services (run by `manage.py seed_demo`).

Uses its own few participants and volunteers, made through matching's intake services with
stable intake keys; the demo volunteer account (`vrijwilliger`) is the buddy of the active
duo unless matching's demo already linked it to a volunteer. Running it again adds nothing:
a participant who already has a duo is skipped.
"""

import datetime

from django.utils import timezone

from matching.intake import services as matching_services
from matching.intake.models import Volunteer

from . import services
from .models import ConfirmationChannel, Duo, DurationKind, EndReason, Side

PEOPLE = {
    # key: (first name, last name, phone, language)
    "p-pending": ("Fatima", "El Idrissi", "+32471100001", "nl"),
    "p-active": ("Jozef", "Peeters", "+32471100002", "nl"),
    "p-ending": ("Nadia", "Bouzid", "+32471100003", "fr"),
    "p-closed": ("Marc", "Wouters", "+32471100004", "nl"),
    "p-friends": ("Rita", "Janssens", "+32471100005", "nl"),
    "v-pending": ("Lotte", "De Vos", "+32472200001", "nl"),
    "v-active": ("Pieter", "Claes", "+32472200002", "nl"),
    "v-ending": ("Hanne", "Maes", "+32472200003", "nl"),
    "v-closed": ("Tom", "Willems", "+32472200004", "nl"),
    "v-friends": ("Ines", "Goossens", "+32472200005", "nl"),
}


def _participant(organisation, key, waiting_since):
    first, last, phone, language = PEOPLE[key]
    return matching_services.participant_intake(
        organisation=organisation, postcode="9000", intake_key=f"demo-duos-{key}",
        first_name=first, last_name=last, phone=phone, message_language=language,
        waiting_since=waiting_since, buddy_roles=["free_time", "culture"],
        excluded_areas=["finances"],
    )


def _volunteer(organisation, key, today, user=None):
    first, last, phone, language = PEOPLE[key]
    fields = {"user": user} if user is not None else {}
    return matching_services.volunteer_intake(
        organisation=organisation, postcode="9000", intake_key=f"demo-duos-{key}",
        first_name=first, last_name=last, phone=phone, message_language=language,
        intake_talk_on=today - datetime.timedelta(days=400),
        certificate_seen_on=today - datetime.timedelta(days=410),
        training_done_on=today - datetime.timedelta(days=390), **fields,
    )


def _confirm(duo, coordinator):
    services.agreement_confirm(duo=duo, side=Side.VOLUNTEER, channel=ConfirmationChannel.LINK)
    services.agreement_confirm(duo=duo, side=Side.PARTICIPANT,
                               channel=ConfirmationChannel.PHONE, recorded_by=coordinator)


def seed(base):
    organisation = base["organisations"]["samen-op-weg-gent"]
    coordinator = base["users"]["coordinator"]
    account = base["users"]["vrijwilliger"]
    today = timezone.localdate()
    days = datetime.timedelta

    def person(key):
        return _participant(organisation, key, today - days(days=500))

    if Duo.objects.filter(participant__intake_key="demo-duos-p-pending",
                          organisation=organisation).exists():
        return

    # Agreement pending: both said yes yesterday, the agreement waits for confirmations.
    services.duo_start_from_match(
        participant=person("p-pending"), volunteer=_volunteer(organisation, "v-pending", today),
        started_by=coordinator, start_date=today + days(days=7),
        duration_kind=DurationKind.SCHOOL_YEAR, duration_months=None,
    )

    # Active for three months, with meetings and an expense.
    linked = Volunteer.objects.filter(user=account).first()
    volunteer = linked or _volunteer(organisation, "v-active", today, user=account)
    duo = services.duo_start_from_match(participant=person("p-active"), volunteer=volunteer,
                                        started_by=coordinator,
                                        start_date=today - days(days=90),
                                        duration_kind=DurationKind.MONTHS, duration_months=12)
    services.agreement_update(duo=duo, expenses_reimbursed="Tram, bus en inkomtickets",
                              expenses_monthly_max_cents=2500,
                              how_to_reach="Telefoon en WhatsApp")
    _confirm(duo, coordinator)
    for weeks_ago, activity, score in ((11, "walk", 4), (8, "culture", 5), (5, "coffee", 4),
                                       (2, "walk", 3)):
        log = services.meeting_log_create(
            duo=duo, created_by=account, date=today - days(weeks=weeks_ago),
            duration="one_two", activities=[activity], how_it_went=score,
            activity_text="", client_key=f"demo-{weeks_ago}",
        )
    services.expense_claim(duo=duo, claimed_by=account, spent_on=log.date, amount="7.50",
                           kind="tickets", description="Museum tickets", meeting_log=log)
    services.checkin_record(duo=duo, recorded_by=coordinator,
                            done_on=today - days(days=70), with_whom="both", how="visit",
                            note="Good start.")
    # The participant answered "2 out of 5" by SMS: an alert on the follow-up list.
    services.participant_answer_record(duo=duo, score=2)

    # Ending soon: twelve months that end in three weeks; the end question was asked.
    duo = services.duo_start_from_match(
        participant=person("p-ending"), volunteer=_volunteer(organisation, "v-ending", today),
        started_by=coordinator, start_date=today - days(days=344),
        duration_kind=DurationKind.MONTHS, duration_months=12,
    )
    _confirm(duo, coordinator)
    services.meeting_log_create(duo=duo, created_by=coordinator, date=today - days(days=10),
                                duration="half_day", activities=["sport"], how_it_went=5)
    services.end_question_ask(duo=duo, today=today)
    services.end_answer_record(duo=duo, side=Side.VOLUNTEER, answer="extend",
                               duration_kind=DurationKind.MONTHS, duration_months=6)

    # Closed early by the volunteer (moved away); the participant waits again.
    duo = services.duo_start_from_match(
        participant=person("p-closed"), volunteer=_volunteer(organisation, "v-closed", today),
        started_by=coordinator, start_date=today - days(days=200),
        duration_kind=DurationKind.MONTHS, duration_months=12,
    )
    _confirm(duo, coordinator)
    services.duo_end_early(duo=duo, ended_by="volunteer", planned=False,
                           reason=EndReason.MOVED, note="Moved to Leuven for work.",
                           exit_conversation_done=True,
                           exit_conversation_notes="Both positive; participant wants a new "
                                                   "buddy.", recorded_by=coordinator)
    services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=True,
                       volunteer_next="leave", volunteer_leave_reason="Moved away")

    # Friends without the project: both answered "friends" at the end of a school year.
    duo = services.duo_start_from_match(
        participant=person("p-friends"), volunteer=_volunteer(organisation, "v-friends", today),
        started_by=coordinator, start_date=today - days(days=300),
        duration_kind=DurationKind.MONTHS, duration_months=10,
    )
    _confirm(duo, coordinator)
    services.end_question_ask(duo=duo, today=today)
    for side in Side.values:
        services.end_answer_record(duo=duo, side=side, answer="friends")
    services.duo_close(duo=duo, closed_by=coordinator, participant_wants_new_buddy=False,
                       volunteer_next="pool", exit_conversation_done=True,
                       exit_conversation_notes="They keep meeting on Sundays.")
