"""Demo coaching for "Samen Op Weg Gent": an intervision series with an upcoming session
(answers: yes, a maybe, a no, one on the waiting list) and a past one (attendance, notes),
training modules with completions, and coaching contacts. Idempotent: looked up by stable
names and intake keys, created through the services only when missing.
"""

import datetime

from django.utils import timezone

from matching.intake.models import Volunteer
from matching.intake.services import volunteer_intake

from . import services
from .models import (
    Answer,
    AnswerChannel,
    CoachingContact,
    Invitation,
    SessionSeries,
    TrainingModule,
)

ORGANISATION = "samen-op-weg-gent"
SERIES_TOPIC = "Intervisie buddywerking"

# The demo volunteers of this app (matching's demo has none in this branch yet): intake key,
# first name, last name, phone. Created through matching's intake service.
VOLUNTEERS = [
    ("demo-coaching-an", "An", "Peeters", "0470 11 22 01"),
    ("demo-coaching-bram", "Bram", "Maes", "0470 11 22 02"),
    ("demo-coaching-chloe", "Chloé", "Dubois", "0470 11 22 03"),
    ("demo-coaching-dries", "Dries", "Wouters", "0470 11 22 04"),
    ("demo-coaching-eva", "Eva", "Claes", "0470 11 22 05"),
    ("demo-coaching-fatima", "Fatima", "El Idrissi", "0470 11 22 06"),
    ("demo-coaching-geert", "Geert", "Janssens", "0470 11 22 07"),
]

MODULES = [
    # Dutch, French, English, basic
    ("Basisvorming buddywerking", "Formation de base au parrainage", "Basic buddy training",
     True),
    ("Grenzen stellen", "Poser des limites", "Setting boundaries", False),
    ("Omgaan met armoede", "Comprendre la pauvreté", "Understanding poverty", False),
]


def _volunteers(organisation) -> list[Volunteer]:
    volunteers = []
    for key, first_name, last_name, phone in VOLUNTEERS:
        volunteers.append(volunteer_intake(
            organisation=organisation, postcode="9000", intake_key=key,
            first_name=first_name, last_name=last_name, phone=phone,
            email=f"{key}@example.org", contact_channel="email",
            intake_talk_on=datetime.date(2026, 1, 12),
            certificate_seen_on=datetime.date(2026, 1, 5),
        ))
    return volunteers


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _sessions(organisation, coordinator, volunteers):
    if SessionSeries.objects.filter(organisation=organisation, topic=SERIES_TOPIC).exists():
        return
    today = timezone.localdate()
    first_day = today - datetime.timedelta(weeks=3)
    series = services.series_create(
        organisation=organisation, created_by=coordinator, interval_weeks=6, count=4,
        topic=SERIES_TOPIC, starts_at=_at(first_day, 19), ends_at=_at(first_day, 21),
        place="Buurthuis De Meers, Meersstraat 12, 9000 Gent", facilitator=coordinator,
        capacity=4, theme_description="Successen en valkuilen van de voorbije weken delen.",
    )
    past, upcoming = list(series.sessions.order_by("starts_at"))[:2]

    # The past session: its invitations and answers are history, written as they were.
    for volunteer in volunteers[:5]:
        services.invitation_add(session=past, volunteer=volunteer)
    Invitation.objects.filter(session=past).update(
        answer=Answer.YES, channel=AnswerChannel.LINK, answered_at=past.starts_at
        - datetime.timedelta(days=5))
    marks = {inv.pk: index != 3 for index, inv in
             enumerate(Invitation.objects.filter(session=past).order_by("id"))}
    services.attendance_record(session=past, marks=marks, recorded_by=coordinator)
    services.note_save(
        session=past, written_by=coordinator,
        themes="Hoe zeg je nee zonder de band te schaden? Afspraken die niet doorgaan.",
        successes="Een duo ging samen naar een concert in De Centrale; een ander duo fietst "
                  "elke week samen.",
        pitfalls="Te veel willen regelen voor iemand; bereikbaar zijn op elk uur.",
        follow_up="Vorming 'Grenzen stellen' plannen in het voorjaar.",
    )

    # The upcoming session: four seats, answers by link, SMS reply and the coordinator.
    services.invitations_send(session=upcoming)
    invitation = {inv.volunteer_id: inv for inv in Invitation.objects.filter(session=upcoming)}
    answers = [
        (Answer.YES, AnswerChannel.LINK, None),
        (Answer.YES, AnswerChannel.SMS, None),
        (Answer.YES, AnswerChannel.COORDINATOR, coordinator),
        (Answer.YES, AnswerChannel.LINK, None),
        (Answer.MAYBE, AnswerChannel.SMS, None),
        (Answer.NO, AnswerChannel.LINK, None),
        (Answer.YES, AnswerChannel.LINK, None),  # the session is full: waiting list
    ]
    for volunteer, (answer, channel, recorded_by) in zip(volunteers, answers, strict=True):
        services.invitation_answer(invitation[volunteer.pk], answer, channel,
                                   recorded_by=recorded_by)


def _training(organisation, coordinator, volunteers):
    modules = {}
    for name_nl, name_fr, name_en, is_basic in MODULES:
        module = TrainingModule.objects.filter(organisation=organisation,
                                               name_nl=name_nl).first()
        modules[name_nl] = module or services.training_module_save(
            organisation=organisation, name_nl=name_nl, name_fr=name_fr, name_en=name_en,
            is_basic=is_basic)
    basic = modules["Basisvorming buddywerking"]
    for volunteer in volunteers[:5]:
        if not basic.completions.filter(volunteer=volunteer).exists():
            services.training_complete(module=basic, volunteer=volunteer,
                                       completed_on=datetime.date(2026, 2, 7),
                                       recorded_by=coordinator)
    boundaries = modules["Grenzen stellen"]
    for volunteer in volunteers[:2]:
        if not boundaries.completions.filter(volunteer=volunteer).exists():
            services.training_complete(module=boundaries, volunteer=volunteer,
                                       completed_on=datetime.date(2026, 3, 14),
                                       recorded_by=coordinator)


def _contacts(organisation, coordinator, volunteers):
    if CoachingContact.objects.filter(organisation=organisation).exists():
        return
    today = timezone.localdate()
    services.coaching_contact_record(
        organisation=organisation, coordinator=coordinator, volunteer=volunteers[0],
        happened_on=today - datetime.timedelta(days=10), form="call",
        note="Loopt goed; vraagt tips voor activiteiten die weinig kosten.")
    services.coaching_contact_record(
        organisation=organisation, coordinator=coordinator, volunteer=volunteers[5],
        happened_on=today - datetime.timedelta(days=40), form="visit",
        note="Even pauze door examens; neemt zelf contact op in juni.")


def seed(base):
    organisation = base["organisations"][ORGANISATION]
    coordinator = base["users"]["coordinator"]
    volunteers = _volunteers(organisation)
    _training(organisation, coordinator, volunteers)
    _sessions(organisation, coordinator, volunteers)
    _contacts(organisation, coordinator, volunteers)
