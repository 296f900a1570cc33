import pytest
import time_machine
from celery._state import _set_task_join_will_block
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from matching.proposals import blocks
from notifications import texts
from notifications.sms.backends import locmem
from organisations.scoping import all_organisations
from tests.factories_matching import ensure_postcodes

from .clock import DAYTIME, NIGHT
from .factories import (
    CoordinatorFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    VolunteerUserFactory,
)
from .notifications_helpers import register_test_texts

pytest_plugins = ["tests.celery_worker"]


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    """Every test starts at one fixed daytime instant (tests/clock.py), or at 03:00 in
    Brussels when it is marked `night`; the clock ticks from there."""
    start = NIGHT if request.node.get_closest_marker("night") else DAYTIME
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def _unscoped_test_code():
    """Test code sets up and inspects data across organisations; requests still get the
    scope of their user from the middleware, which replaces this one."""
    with all_organisations():
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits live in the cache, short-list blocks in the process: each test starts
    with none."""
    cache.clear()
    blocks.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_join_flag():
    yield
    # Eager tasks that threads run at the same moment (the race tests) race on Celery's
    # process-wide "a join would block" flag and can leave it set: the next test's
    # `result.get()` would then refuse as if it ran inside a task.
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture(autouse=True)
def postcodes_loaded(request):
    """The postcode data set is there for every test that uses the database: the migration
    loads it, but a transactional test flushes every table when it ends."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")

    ensure_postcodes()


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
    return APIClient()


@pytest.fixture
def sms_texts():
    """Registers the SMS kinds the notifications tests send."""
    kinds = register_test_texts()
    yield kinds
    for kind in kinds:
        texts.REGISTRY.pop(kind, None)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Runs the callbacks a service queues on commit (the tasks) as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
