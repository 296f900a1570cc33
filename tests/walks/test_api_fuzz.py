"""The API, fuzzed from its own OpenAPI schema (schemathesis, property-based).

Every operation in /api/schema/ is called with generated input, valid and invalid, as a
coordinator of an organisation full of data (the isolation builders, so endpoints that
other apps add are seeded too). No answer may be a server error, and every answer must
match the schema. Examples per operation are few and derandomised, so the run is short
and the same on every machine; operations added later are covered without a change here.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from buddy.wsgi import application
from tests import isolation
from tests.factories import CoordinatorFactory, OrganisationFactory, api_token_for

EXAMPLES_PER_OPERATION = 15


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Requests go through the real WSGI handler, which closes the database connection at
    the end of each; Django's test client disconnects that too, or the test's transaction
    would be lost."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_token(db):
    organisation = OrganisationFactory(name="Fuzzed project")
    isolation.build(organisation)
    coordinator = CoordinatorFactory(organisation=organisation, username="fuzzer")
    return api_token_for(coordinator)


# Loaded when the module is collected: one test per operation, named after it. (Loading
# from a fixture, schemathesis' lazy mode, does not run under pytest 9 yet.) The schema
# view needs no database and no login.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_without_a_server_error(
    case, coordinator_token
):
    case.call_and_validate(
        headers={"Authorization": f"Token {coordinator_token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
