"""A history of surveys for the demo (run by `manage.py seed_demo`): sixteen participants of
the Ghent project answered at intake and later in their duo, their volunteers answered too,
and some duos ended (went on as friends, still in contact). The outcome page then shows real
figures. Built through the intake, duos and outcomes services; running it again adds nothing.
"""

import datetime
import random

from django.utils import timezone

from duos import services as duo_services
from duos.models import ConfirmationChannel, DurationKind, EndReason, Side
from matching.intake import services as intake_services
from matching.intake.models import Participant

from . import services
from .defaults import (
    DID_SOMETHING,
    DUO_GOING,
    FEEL_ALONE,
    PEOPLE_TO_COUNT_ON,
    SOMEONE_TO_TALK_TO,
    STILL_IN_CONTACT,
)
from .models import Channel, Moment

FIRST_NAMES = ["Amal", "Bart", "Chantal", "Dries", "Elif", "Fons", "Greet", "Hamza", "Ilse",
               "Jamal", "Karin", "Luc", "Mira", "Noah", "Olga", "Paul"]
REFERRERS = ["ocmw", "caw", "self", "ocmw"]
LANGUAGES = ["nl", "nl", "fr", "en"]
PEOPLE = 16


def _answers(survey, values, when, channel=Channel.SMS):
    questions = {q.measure: q for q in survey.questionnaire.questions.all()}
    for measure, value in values.items():
        if measure in questions and value is not None:
            services.answer_record(survey=survey, question=questions[measure], raw=str(value),
                                   channel=channel, when=when)


def seed(base):
    organisation = base["organisations"]["samen-op-weg-gent"]
    coordinator = base["users"]["coordinator"]
    services.questionnaires_install(organisation=organisation)
    if Participant.objects.filter(organisation=organisation,
                                  intake_key="demo-outcomes-p0").exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    chance = random.Random(18)  # the same history every time
    for number in range(PEOPLE):
        started = today - datetime.timedelta(days=200 + 25 * number)
        participant = intake_services.participant_intake(
            organisation=organisation, postcode="9000", intake_key=f"demo-outcomes-p{number}",
            first_name=FIRST_NAMES[number], last_name="Demo", phone=f"+3247330{number:04d}",
            message_language=LANGUAGES[number % 4], referrer=REFERRERS[number % 4],
            birth_year=1950 + 3 * number, waiting_since=started - datetime.timedelta(days=120),
            recorded_by=coordinator)
        volunteer = intake_services.volunteer_intake(
            organisation=organisation, postcode="9000", intake_key=f"demo-outcomes-v{number}",
            first_name=f"{FIRST_NAMES[-1 - number]}", last_name="Vrijwilliger",
            phone=f"+3247440{number:04d}", intake_talk_on=started - datetime.timedelta(days=60),
            certificate_seen_on=started - datetime.timedelta(days=70),
            training_done_on=started - datetime.timedelta(days=50))
        intake = services.survey_open_at_intake(participant=participant)
        before = {PEOPLE_TO_COUNT_ON: chance.choice([0, 1, 1, 2]),
                  FEEL_ALONE: chance.choice([3, 3, 4]), DID_SOMETHING: chance.choice([0, 0, 1]),
                  SOMEONE_TO_TALK_TO: chance.choice([0, 1])}
        _answers(intake, before, now - datetime.timedelta(days=200 + 25 * number + 30),
                 Channel.PHONE)
        duo = duo_services.duo_start_from_match(participant=participant, volunteer=volunteer,
                                                started_by=coordinator, start_date=started,
                                                duration_kind=DurationKind.MONTHS,
                                                duration_months=12)
        duo_services.agreement_confirm(duo=duo, side=Side.VOLUNTEER,
                                       channel=ConfirmationChannel.PHONE,
                                       recorded_by=coordinator)
        duo_services.agreement_confirm(duo=duo, side=Side.PARTICIPANT,
                                       channel=ConfirmationChannel.PHONE,
                                       recorded_by=coordinator)
        later = services.survey_open(organisation_id=organisation.pk,
                                     person_key=f"participant:{participant.pk}",
                                     moment=Moment.FOLLOW_UP, period=f"duo:{duo.pk}", duo=duo)
        after = {PEOPLE_TO_COUNT_ON: before[PEOPLE_TO_COUNT_ON] + chance.choice([0, 1, 1, 2]),
                 FEEL_ALONE: max(1, before[FEEL_ALONE] - chance.choice([0, 1, 1])),
                 DID_SOMETHING: chance.choice([0, 1, 1]), SOMEONE_TO_TALK_TO: 1,
                 DUO_GOING: chance.choice([3, 4, 4, 5])}
        if number % 5 != 4:  # a few never answered later
            _answers(later, after, now - datetime.timedelta(days=100 + 25 * number))
        check = services.survey_open(organisation_id=organisation.pk,
                                     person_key=f"volunteer:{volunteer.pk}",
                                     moment=Moment.VOLUNTEER, period=f"duo:{duo.pk}:1",
                                     duo=duo)
        _answers(check, {DUO_GOING: chance.choice([3, 4, 5]), "needs_support": chance.choice(
            [0, 0, 1]), "would_do_again": 1}, now - datetime.timedelta(days=150 + 25 * number),
            Channel.LINK)
        if number >= 10:  # the oldest duos ended
            duo_services.duo_end_early(duo=duo, ended_by="participant", planned=True,
                                       reason=EndReason.AGREED_END, recorded_by=coordinator,
                                       note="")
            duo_services.duo_close(duo=duo, closed_by=coordinator,
                                   participant_wants_new_buddy=False, volunteer_next="pool")
            after_end = services.survey_open(
                organisation_id=organisation.pk, person_key=f"participant:{participant.pk}",
                moment=Moment.AFTER_END, period=f"duo:{duo.pk}", duo=duo)
            _answers(after_end, {STILL_IN_CONTACT: chance.choice([0, 1, 1])}, now)
