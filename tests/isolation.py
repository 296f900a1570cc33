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
def _intake_and_waiting_list(organisation):
    from tests.factories_matching import (
        ConsentRecordFactory,
        ImportJobFactory,
        InterestCategoryFactory,
        InterestFactory,
        ParticipantFactory,
        VolunteerFactory,
    )

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
    ]
