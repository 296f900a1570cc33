"""The umbrella view: a regional network sees the outcome figures of the member
organisations that opt in, aggregated and with small groups hidden; no person's data
crosses organisations (the whole isolation data set of a member is walked for it)."""

import pytest

from organisations.scoping import all_organisations
from outcomes.models import UmbrellaSharing
from tests import isolation
from tests.factories import CoordinatorFactory, OrganisationAdminFactory, OrganisationFactory

from .test_outcome_report import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def umbrella():
    return OrganisationFactory(name="Buddywerking Vlaanderen", slug="buddywerking")


def test_a_member_opts_in_by_the_umbrellas_short_name(client, organisation, umbrella):
    admin = OrganisationAdminFactory(organisation=organisation)
    client.force_login(admin)
    refused = client.post("/outcomes/umbrella/", {"umbrella": "no-such-network"})
    assert refused.status_code == 200 and "No other organisation has this short name" in (
        refused.content.decode())
    assert not UmbrellaSharing.objects.exists()
    assert client.post("/outcomes/umbrella/", {"umbrella": organisation.slug}).status_code == 200
    assert not UmbrellaSharing.objects.exists()  # not with itself
    client.post("/outcomes/umbrella/", {"umbrella": "buddywerking"})
    client.post("/outcomes/umbrella/", {"umbrella": "buddywerking"})
    sharing = UmbrellaSharing.objects.get()
    assert (sharing.organisation, sharing.umbrella) == (organisation, umbrella)
    client.post("/outcomes/umbrella/", {"stop": str(sharing.pk)})
    assert not UmbrellaSharing.objects.exists()


def test_coordinators_may_not_choose_the_umbrella(coordinator_client):
    assert coordinator_client.get("/outcomes/umbrella/").status_code == 403


def test_the_umbrella_sees_only_members_that_opted_in_and_small_groups_hidden(
        client, organisation, coordinator, other_organisation, umbrella):
    history(organisation, coordinator, [(1, 3, "ocmw")] * 6)
    other_coordinator = CoordinatorFactory(organisation=other_organisation)
    history(other_organisation, other_coordinator, [(0, 1, "caw")] * 3)
    UmbrellaSharing.objects.create(organisation=organisation, umbrella=umbrella)
    client.force_login(CoordinatorFactory(organisation=umbrella))
    html = client.get("/reports/umbrella/").content.decode()
    assert "Samen Op Weg Gent" in html and "+2.00" in html and "n = 6" in html
    assert "Maatjes Antwerpen" not in html
    UmbrellaSharing.objects.create(organisation=other_organisation, umbrella=umbrella)
    html = client.get("/reports/umbrella/").content.decode()
    assert "Maatjes Antwerpen" in html and "n = &lt; 5" in html  # three people: hidden
    assert "n = 9" in html  # pooled
    assert "Amina" not in html and "Haddad" not in html  # the factories' participants
    # A member sees no umbrella figures of its own.
    client.force_login(coordinator)
    assert "Maatjes Antwerpen" not in client.get("/reports/umbrella/").content.decode()


def test_no_personal_data_of_a_member_reaches_the_umbrella(client, umbrella):
    with all_organisations():
        member = OrganisationFactory(name=f"{isolation.ORGANISATION} Member")
        isolation.build(member)
        UmbrellaSharing.objects.create(organisation=member, umbrella=umbrella)
    client.force_login(CoordinatorFactory(organisation=umbrella))
    response = client.get("/reports/umbrella/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{isolation.ORGANISATION} Member" in html  # the member's name, as agreed
    assert isolation.SECRET not in html
