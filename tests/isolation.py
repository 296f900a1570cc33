"""Data for the isolation test: one organisation full of recognisable data.

Each app registers a builder that creates, for the given organisation, at least one row of
every model it owns, with the marker strings below in its text fields. The isolation test
then requests every URL pattern, filled with the ids of those rows, as a coordinator of
another organisation and as a volunteer of the same one, and looks for the markers.

- `SECRET` marks data only staff of the organisation may see (intake notes, names of
  participants, other volunteers...).
- `ORGANISATION` marks data any member of the organisation may see (its name).
"""

from collections.abc import Callable

SECRET = "Zqxleakmark"
ORGANISATION = "Zqxorgmark"

BUILDERS: list[Callable] = []


def builder(func: Callable) -> Callable:
    """Register `func(organisation) -> list[model instance]`."""
    BUILDERS.append(func)
    return func


@builder
def _organisation_and_accounts(organisation):
    from tests.factories import CoordinatorFactory, OrganisationAdminFactory

    return [
        organisation,
        CoordinatorFactory(organisation=organisation, last_name=f"{SECRET}Coordinator",
                           email="coordinator.secret@example.org"),
        OrganisationAdminFactory(organisation=organisation, last_name=f"{SECRET}Admin"),
    ]


def build(organisation) -> list:
    objects = []
    for func in BUILDERS:
        objects.extend(func(organisation))
    return objects


@builder
def _duos(organisation):
    """One duo with a row of every duos model (agreement, log, expense, check-in, answer,
    alert, evaluation, end answer, ending, settings), the marker in every text field."""
    import datetime

    from django.core.files.base import ContentFile

    from duos import models as duos
    from tests.factories_duos import ParticipantFactory, VolunteerFactory

    participant = ParticipantFactory(organisation=organisation, first_name=f"{SECRET}Amina",
                                     last_name=f"{SECRET}Haddad", intake_note=SECRET)
    volunteer = VolunteerFactory(organisation=organisation, first_name=f"{SECRET}Pieter",
                                 last_name=f"{SECRET}Claes")
    today = datetime.date.today()
    duo = duos.Duo.objects.create(organisation=organisation, participant=participant,
                                  volunteer=volunteer, status=duos.DuoStatus.ENDING,
                                  started_on=today)
    agreement = duos.Agreement.objects.create(
        duo=duo, start_date=today, duration_months=12, end_date=today,
        buddy_roles_other=SECRET, excluded_areas_other=SECRET, expenses_reimbursed=SECRET,
        how_to_reach=SECRET,
    )
    log = duos.MeetingLog.objects.create(duo=duo, date=today, duration="short",
                                         how_it_went=4, activity_text=SECRET,
                                         note_to_coordinator=SECRET)
    expense = duos.Expense(duo=duo, meeting_log=log, spent_on=today, amount_cents=1250,
                           kind="tickets", description=SECRET, receipt_type="pdf")
    expense.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4 " + SECRET.encode()),
                         save=False)
    expense.save()
    now = datetime.datetime.now(datetime.UTC)
    return [
        duo, agreement, log, expense,
        duos.CheckIn.objects.create(duo=duo, planned_on=today, done_on=today, note=SECRET),
        duos.ParticipantAnswer.objects.create(duo=duo, score=2, received_at=now),
        duos.Alert.objects.create(duo=duo, kind="talk_to_me", detail=SECRET, created_at=now,
                                  resolution_note=SECRET),
        duos.Evaluation.objects.create(duo=duo, moment="mid_term", party="participant",
                                       answers={SECRET: SECRET}, free_text=SECRET,
                                       recorded_at=now),
        duos.EndAnswer.objects.create(duo=duo, side="volunteer", for_end_date=today,
                                      answer="close", answered_at=now),
        duos.Ending.objects.create(duo=duo, ended_by="volunteer", reason="moved", note=SECRET,
                                   outcome="closed", exit_conversation_notes=SECRET,
                                   volunteer_leave_reason=SECRET, recorded_at=now),
        duos.DuoSettings.objects.create(organisation=organisation, questions=[SECRET]),
        participant, volunteer,
    ]
