import pytest
from django.utils import translation

from organisations.scoping import all_organisations

from .factories import (
    CoordinatorFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    VolunteerUserFactory,
)

pytest_plugins = ["tests.celery_worker"]


@pytest.fixture(autouse=True)
def _unscoped_test_code():
    """Test code sets up and inspects data across organisations; requests still get the
    scope of their user from the middleware, which replaces this one."""
    with all_organisations():
        yield


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Samen Op Weg Gent", slug="samen-op-weg")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Maatjes Antwerpen", slug="maatjes-antwerpen")


@pytest.fixture
def coordinator(organisation):
    return CoordinatorFactory(organisation=organisation, username="sofie")


@pytest.fixture
def org_admin(organisation):
    return OrganisationAdminFactory(organisation=organisation, username="els")


@pytest.fixture
def volunteer_user(organisation):
    return VolunteerUserFactory(organisation=organisation, username="pieter")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
