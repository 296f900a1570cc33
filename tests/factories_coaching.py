"""Factories for coaching tests, and the volunteers and participants they need."""

import datetime

import factory
from django.utils import timezone

from coaching.models import (
    Attendance,
    CoachingContact,
    IntervisionSession,
    Invitation,
    SessionNote,
    TrainingCompletion,
    TrainingModule,
)
from matching.intake.models import Participant, ParticipantStatus, Postcode, Volunteer
from tests.factories import CoordinatorFactory, OrganisationFactory


def gent_postcode():
    # Transactional tests flush the postcodes loaded by the migration: make one if missing.
    postcode, _ = Postcode.objects.get_or_create(
        code="9000", refnis="44021",
        defaults={"municipality": "Gent", "municipality_fr": "Gand", "latitude": 51.05,
                  "longitude": 3.72},
    )
    return postcode


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Buddy{n}")
    last_name = "Peeters"
    phone = factory.Sequence(lambda n: f"+32473{n % 1000000:06d}")
    email = factory.Sequence(lambda n: f"buddy{n}@example.org")
    contact_channel = "email"
    postcode = factory.LazyFunction(gent_postcode)
    intake_talk_on = datetime.date(2026, 1, 10)
    certificate_seen_on = datetime.date(2026, 1, 5)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Deelnemer{n}")
    last_name = "Janssens"
    phone = factory.Sequence(lambda n: f"+32474{n % 1000000:06d}")
    postcode = factory.LazyFunction(gent_postcode)
    waiting_since = datetime.date(2025, 6, 1)
    status = ParticipantStatus.MATCHED


def in_days(days, hour=19):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntervisionSession
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    topic = "Intervisie: grenzen stellen"
    starts_at = factory.LazyFunction(lambda: in_days(7))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=2))
    place = "Sint-Pietersnieuwstraat 1, 9000 Gent"
    facilitator = factory.SubFactory(CoordinatorFactory,
                                     organisation=factory.SelfAttribute("..organisation"))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    session = factory.SubFactory(SessionFactory)
    volunteer = factory.SubFactory(VolunteerFactory,
                                   organisation=factory.SelfAttribute("..session.organisation"))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    volunteer = factory.SubFactory(VolunteerFactory,
                                   organisation=factory.SelfAttribute("..session.organisation"))
    present = True


class SessionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionNote

    session = factory.SubFactory(SessionFactory)
    themes = "Grenzen stellen"


class CoachingContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachingContact

    organisation = factory.SubFactory(OrganisationFactory)
    volunteer = factory.SubFactory(VolunteerFactory,
                                   organisation=factory.SelfAttribute("..organisation"))
    happened_on = factory.LazyFunction(timezone.localdate)
    form = "call"
    note = "Goed gesprek"


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    organisation = factory.SubFactory(OrganisationFactory)
    name_nl = factory.Sequence(lambda n: f"Vorming {n}")


class TrainingCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCompletion

    module = factory.SubFactory(TrainingModuleFactory)
    volunteer = factory.SubFactory(VolunteerFactory,
                                   organisation=factory.SelfAttribute("..module.organisation"))
    completed_on = datetime.date(2026, 2, 1)
