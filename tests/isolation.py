"""Data for the isolation test: one organisation full of recognisable data.

Each app registers a builder that creates, for the given organisation, at least one row of
every model it owns, with the marker strings below in its text fields. The isolation test
then requests every URL pattern, filled with the ids of those rows, as a coordinator of
another organisation and as a volunteer of the same one, and looks for the markers.

- `SECRET` marks data only staff of the organisation may see (intake notes, names of
  participants, other volunteers...).
- `ORGANISATION` marks data any member of the organisation may see (its name).
"""

import datetime
from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from coaching.models import (
    Attendance,
    CoachingContact,
    CoachingSettings,
    IntervisionSession,
    Invitation,
    SessionNote,
    SessionSeries,
    TrainingCompletion,
    TrainingModule,
)
from duos import models as duos
from matching.intake.applications.models import Application
from matching.intake.models import ImportColumnMemory, ImportSynonym
from matching.intake.referrals.models import Partner, Referral
from matching.intake.screening.models import (
    CertificateCopy,
    ReferenceRequest,
    ScreeningSettings,
    ScreeningStage,
    ScreeningStep,
)
from notifications import services
from notifications.models import (
    CoordinatorTask,
    GroupMessage,
    Message,
    MessagingSettings,
    Question,
    ReminderSettings,
    SentReminder,
    SimulatedSms,
    TaskKind,
    TemplateOverride,
)
from organisations.models import AnonymisationRecord, APIToken, RetentionSettings
from outcomes import models as outcomes
from tests import factories_coaching, factories_duos
from tests.factories import (
    AuditEventFactory,
    CoordinatorFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
)
from tests.factories_matching import (
    ConsentRecordFactory,
    ImportJobFactory,
    InterestCategoryFactory,
    InterestFactory,
    ParticipantFactory,
    VolunteerFactory,
)
from tests.factories_proposals import (
    CandidateFactory,
    IntroductionMeetingFactory,
    MatchFactory,
    MatchingSettingsFactory,
    ProposalCallTaskFactory,
    ProposalFactory,
    ProposalRoundFactory,
    VolunteerOfferFactory,
)

SECRET = "Zqxleakmark"
ORGANISATION = "Zqxorgmark"

BUILDERS: list[Callable] = []


def builder(func: Callable) -> Callable:
    """Register `func(organisation) -> list[model instance]`."""
    BUILDERS.append(func)
    return func


@builder
def _organisation_and_accounts(organisation):
    return [
        organisation,
        CoordinatorFactory(organisation=organisation, last_name=f"{SECRET}Coordinator",
                           email="coordinator.secret@example.org"),
        OrganisationAdminFactory(organisation=organisation, last_name=f"{SECRET}Admin"),
    ]


KEEP_OWN_IDS = "organisations_organisation"


def align_ids():
    """Every table's next id becomes one number, above every id given so far.

    The walks request each URL pattern once per candidate value (tests/walks): with the ids
    aligned, the first participant, the first volunteer and the first duo share an id, so a
    handful of values reach a row of every model, instead of one value per row of the data.
    Sequences only move up, so no id is ever given twice. Organisations keep their own:
    their ids stay small, as on a real server (a signed link carries one: its length is
    tested), and the organisation's id is among the values anyway."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences "
                           "WHERE schemaname = current_schema()")
            sequences = cursor.fetchall()
            start = max((last or 0 for _schema, _name, last in sequences), default=0) + 1
            for schema, name, _last in sequences:
                if name == f"{KEEP_OWN_IDS}_id_seq":
                    continue
                cursor.execute("SELECT setval(%s::regclass, %s, false)",
                               [f'"{schema}"."{name}"', start])
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            known = dict(cursor.fetchall())
            start = max(known.values(), default=0) + 1
            for table in connection.introspection.table_names(cursor):
                if table == KEEP_OWN_IDS:
                    continue
                if table in known:
                    cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                                   [start - 1, table])
                else:
                    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                                   [table, start - 1])


def build(organisation) -> list:
    align_ids()
    objects = []
    for func in BUILDERS:
        objects.extend(func(organisation))
    return objects


@builder
def _audit_events(organisation):
    return [
        AuditEventFactory(organisation=organisation, actor_username=f"{SECRET}actor",
                          subject_ref="matching.participant:1", label=f"{SECRET} participant"),
    ]


@builder
def _notifications(organisation):
    settings_row = MessagingSettings.objects.create(organisation=organisation,
                                                    sms_number="+32470000099")
    override = TemplateOverride.objects.create(
        organisation=organisation, kind="notifications.help", language="en",
        text=f"{{organisation}}: {SECRET} call {{coordinator_phone}}.",
    )
    message = Message.objects.create(
        organisation=organisation, direction="out", channel="sms", template="test.secret",
        recipient_key=f"participant:{SECRET}", first_name=f"{SECRET}Name",
        phone="+32470123499", body=f"Hello {SECRET}", idempotency_key=f"iso-{organisation.pk}",
        status="sent", sent_at=timezone.now(),
    )
    link, _url = services.link_create(
        organisation_id=organisation.pk, recipient_key=f"participant:{SECRET}", language="nl",
        purpose="test.secret", subject=SECRET, message=message,
    )
    question = Question.objects.create(
        organisation=organisation, phone="+32470123499", recipient_key=f"participant:{SECRET}",
        purpose="test.secret", subject=SECRET, accepts=["yes", "no"], message=message,
        expires_at=timezone.now() + timedelta(days=3),
    )
    task = CoordinatorTask.objects.create(
        organisation=organisation, kind=TaskKind.CALL_UNDELIVERED, first_name=f"{SECRET}Name",
        recipient_key=f"participant:{SECRET}", phone="+32470123499", detail=SECRET,
        message=message,
    )
    simulated = SimulatedSms.objects.create(
        organisation=organisation, message=message, phone="+32470123499", channel="sms",
        direction="out", body=f"Hello {SECRET}")
    group = GroupMessage.objects.create(
        organisation=organisation, group_kind="intake.volunteers", group_value="active",
        group_label=f"{SECRET} group", texts={"nl": f"{SECRET} text"},
        token=f"iso-{organisation.pk}", recipient_keys=[f"participant:{SECRET}"], total=1)
    return [settings_row, override, message, link, question, task, simulated, group]


@builder
def _intake_and_waiting_list(organisation):
    category = InterestCategoryFactory(organisation=organisation,
                                       label_nl=f"{SECRET}Categorie", label_en=f"{SECRET}Cat")
    interest = InterestFactory(organisation=organisation, category=category,
                               label_nl=f"{SECRET}Wandelen", label_en=f"{SECRET}Walking")
    participant = ParticipantFactory(
        organisation=organisation, first_name=f"{SECRET}Fatima", last_name=f"{SECRET}Deelnemer",
        intake_note=f"{SECRET} intake note", interests_other=f"{SECRET}other",
    )
    participant.interests.add(interest)
    volunteer = VolunteerFactory(organisation=organisation, ready=True,
                                 first_name=f"{SECRET}Vera", last_name=f"{SECRET}Vrijwilliger",
                                 motivation=f"{SECRET} motivation")
    volunteer.interests.add(interest)
    return [
        category, interest, participant, volunteer,
        ConsentRecordFactory(participant=participant, note=f"{SECRET} consent"),
        ImportJobFactory(organisation=organisation, filename=f"{SECRET}.csv",
                         headers=[f"{SECRET}Voornaam"]),
        ImportSynonym.objects.create(organisation=organisation, kind="interest",
                                     value=f"{SECRET}wandelingen", target=interest.key),
        ImportColumnMemory.objects.create(organisation=organisation, kind="participants",
                                          mapping={f"{SECRET}voornaam": "first_name"}),
        *_applications(organisation, volunteer),
    ]


def _applications(organisation, volunteer):
    """A duplicate waiting to be merged, an applicant and a participant to confirm."""
    applicant = VolunteerFactory(organisation=organisation, status="applied",
                                 first_name=f"{SECRET}Anouk", last_name=f"{SECRET}Kandidaat")
    asking = ParticipantFactory(organisation=organisation, status="to_confirm",
                                first_name=f"{SECRET}Yasmina", last_name=f"{SECRET}Vraagt")
    stage = ScreeningStage.objects.create(organisation=organisation, kind="applied",
                                          label_nl=f"{SECRET}Aangemeld",
                                          label_fr=f"{SECRET}Inscrit", label_en=f"{SECRET}Applied")
    partner = Partner.objects.create(organisation=organisation, name=f"{SECRET}Partner")
    referred = ParticipantFactory(organisation=organisation, status="to_confirm",
                                  first_name=f"{SECRET}Amina", last_name=f"{SECRET}Verwezen",
                                  intake_note=f"{SECRET} referral note")
    return [
        partner,
        Referral.objects.create(organisation=organisation, partner=partner,
                                participant=referred, referred_on=datetime.date(2026, 1, 5),
                                referred_by=f"{SECRET}Els", form_key=f"iso-ref-{organisation.pk}"),
        stage,
        ScreeningSettings.objects.create(organisation=organisation, certificate_valid_months=24,
                                         certificate_copy_kept=True),
        CertificateCopy.objects.create(
            organisation=organisation, volunteer=applicant, kind="pdf",
            file=ContentFile(f"%PDF-1.4 {SECRET} certificate".encode(), name="copy.pdf"),
            delete_on=datetime.date(2026, 2, 1)),
        ReferenceRequest.objects.create(organisation=organisation, volunteer=applicant,
                                        referee_name=f"{SECRET}Referee",
                                        referee_email="referee.secret@example.org",
                                        answer=f"{SECRET} reference answer", recommends=True),
        ScreeningStep.objects.create(organisation=organisation, volunteer=applicant,
                                     stage=stage, entered_on=datetime.date(2026, 1, 5),
                                     note=f"{SECRET} screening note"),
        Application.objects.create(
            organisation=organisation, kind="volunteer", status="duplicate",
            volunteer=volunteer, form_key=f"iso-dup-{organisation.pk}",
            data={"first_name": f"{SECRET}Vera", "phone": "+32470123499",
                  "postcode": "9000"}),
        Application.objects.create(organisation=organisation, kind="volunteer",
                                   status="registered", volunteer=applicant,
                                   form_key=f"iso-vol-{organisation.pk}"),
        Application.objects.create(organisation=organisation, kind="participant",
                                   status="registered", participant=asking,
                                   form_key=f"iso-par-{organisation.pk}"),
    ]


@builder
def _coaching(organisation):
    volunteer = factories_coaching.VolunteerFactory(
        organisation=organisation, first_name=f"{SECRET}Buddy", email="buddy.secret@example.org")
    participant = factories_coaching.ParticipantFactory(organisation=organisation,
                                     first_name=f"{SECRET}Deelnemer")
    series = SessionSeries.objects.create(organisation=organisation, topic=f"{SECRET}Series",
                                          interval_weeks=6, count=2)
    start = timezone.now() - datetime.timedelta(days=1)
    session = IntervisionSession.objects.create(
        organisation=organisation, series=series, topic=f"{SECRET}Intervision",
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), place=f"{SECRET}Place",
        theme_description=f"{SECRET}Theme", audience="chosen", capacity=1,
    )
    session.chosen_volunteers.set([volunteer])
    session.chosen_participants.set([participant])
    module = TrainingModule.objects.create(organisation=organisation,
                                           name_nl=f"{SECRET}Vorming", name_en=f"{SECRET}Training",
                                           is_basic=True)
    return [
        volunteer, participant, series, session,
        Invitation.objects.create(session=session, volunteer=volunteer, answer="yes"),
        Invitation.objects.create(session=session, participant=participant, answer="yes",
                                  waiting_position=1),
        Attendance.objects.create(session=session, volunteer=volunteer, present=True),
        SessionNote.objects.create(session=session, themes=f"{SECRET}Themes",
                                   follow_up=f"{SECRET}FollowUp"),
        CoachingContact.objects.create(organisation=organisation, volunteer=volunteer,
                                       participant=participant,
                                       happened_on=datetime.date(2026, 1, 5), form="call",
                                       note=f"{SECRET}Contact"),
        module,
        TrainingCompletion.objects.create(module=module, volunteer=volunteer,
                                          completed_on=datetime.date(2026, 1, 5)),
        CoachingSettings.objects.create(organisation=organisation),
    ]


@builder
def _duos(organisation):
    """One duo with a row of every duos model (agreement, log, expense, check-in, answer,
    alert, evaluation, end answer, ending, settings), the marker in every text field."""
    participant = factories_duos.ParticipantFactory(
        organisation=organisation, first_name=f"{SECRET}Amina", last_name=f"{SECRET}Haddad",
        intake_note=SECRET)
    volunteer = factories_duos.VolunteerFactory(
        organisation=organisation, first_name=f"{SECRET}Pieter", last_name=f"{SECRET}Claes")
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


@builder
def _outcomes(organisation):
    """A questionnaire of the organisation's own, a participant's intake survey with an
    answer in words, its settings and a stop: the marker in every text field."""
    participant = factories_duos.ParticipantFactory(
        organisation=organisation, first_name=f"{SECRET}Oumaima", last_name=f"{SECRET}Oukili")
    volunteer = factories_duos.VolunteerFactory(organisation=organisation,
                                                first_name=f"{SECRET}Olivier")
    questionnaire = outcomes.Questionnaire.objects.create(
        organisation=organisation, key="own", audience="participant", title_nl=SECRET,
        title_fr=SECRET, title_en=SECRET, licence=SECRET)
    question = outcomes.Question.objects.create(
        questionnaire=questionnaire, position=1, measure="own", answer_type="text",
        text_nl=SECRET, text_fr=SECRET, text_en=SECRET)
    survey = outcomes.Survey.objects.create(
        organisation=organisation, questionnaire=questionnaire,
        person_key=f"participant:{participant.pk}", moment="intake",
        closes_at=timezone.now() + timedelta(days=28))
    return [
        participant, volunteer, questionnaire, question, survey,
        outcomes.Answer.objects.create(survey=survey, question=question, text=SECRET,
                                       channel="phone"),
        outcomes.SurveySettings.objects.create(organisation=organisation),
        outcomes.SurveyStop.objects.create(organisation=organisation,
                                           person_key=f"volunteer:{volunteer.pk}", via="sms"),
        outcomes.UmbrellaSharing.objects.create(
            organisation=organisation, umbrella=OrganisationFactory(name="Regional network")),
    ]


@builder
def _proposals(organisation):
    def participant():
        return ParticipantFactory(organisation=organisation, first_name=f"{SECRET}Pia",
                                  status="proposal_open")

    def volunteer():
        return VolunteerFactory(organisation=organisation, ready=True,
                                first_name=f"{SECRET}Vic", introduction=f"{SECRET} intro")

    proposal_round = ProposalRoundFactory(organisation=organisation)
    proposal = ProposalFactory(organisation=organisation, round=proposal_round,
                               participant=participant(), reason=f"{SECRET} reason")
    candidate = CandidateFactory(proposal=proposal, volunteer=volunteer(), position=1,
                                 reasons={"en": [f"{SECRET} reason"]})
    chosen = ProposalFactory(organisation=organisation, participant=participant(),
                             status="chosen")
    offer = VolunteerOfferFactory(
        candidate=CandidateFactory(proposal=chosen, volunteer=volunteer(), position=1,
                                   status="chosen"),
        reason=f"{SECRET} offer")
    meeting_proposal = ProposalFactory(organisation=organisation, participant=participant(),
                                       status="chosen")
    meeting = IntroductionMeetingFactory(
        offer=VolunteerOfferFactory(
            status="accepted",
            candidate=CandidateFactory(proposal=meeting_proposal, volunteer=volunteer(),
                                       position=1, status="chosen")),
        place=f"{SECRET} café", planned_at=timezone.now() + datetime.timedelta(days=2))
    match = MatchFactory(
        proposal=ProposalFactory(organisation=organisation, participant=participant(),
                                 status="matched"),
        volunteer=volunteer())
    task = ProposalCallTaskFactory(
        proposal=ProposalFactory(organisation=organisation, participant=participant(),
                                 status="call_task"))
    return [MatchingSettingsFactory(organisation=organisation), proposal_round, proposal,
            candidate, offer, meeting, match, task]


@builder
def _reminders(organisation):
    return [
        ReminderSettings.objects.create(organisation=organisation, keep_in_touch_months=4),
        SentReminder.objects.create(organisation=organisation,
                                    kind="reminders.keep_in_touch",
                                    subject_ref=f"participant:{SECRET}{organisation.pk}",
                                    period_key="2026-01-05",
                                    recipient_key=f"participant:{SECRET}{organisation.pk}"),
    ]


@builder
def _privacy(organisation):
    return [
        RetentionSettings.objects.create(organisation=organisation, retention_months=18),
        AnonymisationRecord.objects.create(
            organisation=organisation, kind="participant", reason="erasure",
            subject_ref=f"matching.participant:{SECRET}{organisation.pk}"),
    ]


@builder
def _api_tokens(organisation):
    admin = OrganisationAdminFactory(organisation=organisation)
    token, _plain = APIToken.objects.create(user=admin, organisation=organisation,
                                            name=f"{SECRET} export")
    return [token]
