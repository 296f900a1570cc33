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
def _audit_events(organisation):
    from tests.factories import AuditEventFactory

    return [
        AuditEventFactory(organisation=organisation, actor_username=f"{SECRET}actor",
                          subject_ref="matching.participant:1", label=f"{SECRET} participant"),
    ]
