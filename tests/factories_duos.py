"""Factories for the duos tests: participants and volunteers of the intake models, and
duos in each state built through the duos services (so they hold the real invariants)."""

import datetime

import factory

from duos import services
from duos.models import ConfirmationChannel, Duo, DurationKind, Side
from matching.intake.models import Participant, ParticipantStatus, Postcode, Volunteer
from tests.factories import CoordinatorFactory, OrganisationFactory, VolunteerUserFactory


def _postcode():
    return Postcode.objects.filter(code="9000").first() or Postcode.objects.first()


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Amina{n}")
    last_name = "Haddad"
    phone = "+32470123456"
    postcode = factory.LazyFunction(_postcode)
    waiting_since = datetime.date(2025, 3, 1)
    status = ParticipantStatus.MATCHED
    buddy_roles = ["free_time", "language"]
    excluded_areas = ["finances"]
    intake_note = "Private intake note"
    referrer_detail = "OCMW Gent, social worker"


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Pieter{n}")
    last_name = "Claes"
    phone = "+32470654321"
    postcode = factory.LazyFunction(_postcode)
    capacity = 1
    intake_talk_on = datetime.date(2025, 1, 10)
    certificate_seen_on = datetime.date(2025, 1, 5)
    training_done_on = datetime.date(2025, 1, 20)


def volunteer_with_account(organisation, username=None):
    user = VolunteerUserFactory(organisation=organisation,
                                **({"username": username} if username else {}))
    return VolunteerFactory(organisation=organisation, user=user), user


def pending_duo(organisation=None, *, start_date=None, participant=None, volunteer=None,
                **agreement) -> Duo:
    organisation = organisation or OrganisationFactory()
    participant = participant or ParticipantFactory(organisation=organisation)
    volunteer = volunteer or VolunteerFactory(organisation=organisation)
    # A duo's length is agreed at the introduction meeting; these duos agreed on a year.
    agreement.setdefault("duration_kind", DurationKind.MONTHS)
    agreement.setdefault("duration_months", 12 if agreement["duration_kind"] == DurationKind.MONTHS
                                else None)
    duo = services.duo_start_from_match(participant=participant, volunteer=volunteer,
                                        start_date=start_date or datetime.date.today(),
                                        **agreement)
    return duo


def active_duo(organisation=None, *, coordinator=None, **kwargs) -> Duo:
    duo = pending_duo(organisation, **kwargs)
    coordinator = coordinator or CoordinatorFactory(organisation=duo.organisation)
    for side in Side.values:
        services.agreement_confirm(duo=duo, side=side, channel=ConfirmationChannel.PHONE,
                                   recorded_by=coordinator)
    duo.refresh_from_db()
    return duo
