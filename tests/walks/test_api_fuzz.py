"""The API, fuzzed from its own OpenAPI schema (schemathesis, property-based).

Every operation in /api/schema/ is called, as a coordinator of an organisation full of data
(the isolation builders, so endpoints that other apps add are seeded too), in three ways:

1. every operation on real rows with an empty body (`{}`, or none where it takes none), twice;
2. generated requests, valid and invalid, with the `{id}` in the path often the id of a row
   that exists (taken from the operation's list), so actions reach their service;
3. schemathesis' stateful phase: sequences of calls along the links it infers between
   operations (a list's ids feed the detail, its update and its actions).

No answer may be a server error, and every answer must match the schema.

The requests run as in production: through the WSGI handler, in autocommit, outside any test
transaction (the data is committed once for the module and flushed at its end; what one
operation changes, a later one meets, as on a real server). Inside a test transaction a
service that forgot its own would still work, and PostgreSQL refuses a row lock
(select_for_update) outside one: so this test finds that bug on PostgreSQL, which CI uses
(DATABASE_URL), and not on SQLite, which ignores the lock.

The run is derandomised (the same on every machine) and short by default; `make fuzz` runs
100 examples per operation against PostgreSQL (BUDDY_FUZZ_EXAMPLES, BUDDY_FUZZ_SCENARIOS).
Operations added later are covered without a change here.
"""

import json
import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
import time_machine
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from buddy.wsgi import application
from organisations.scoping import all_organisations
from tests import PROJECT_ROOT, factories_coaching, isolation
from tests.clock import DAYTIME
from tests.factories import CoordinatorFactory, OrganisationFactory, api_token_for
from tests.factories_matching import ensure_postcodes

EXAMPLES_PER_OPERATION = int(os.environ.get("BUDDY_FUZZ_EXAMPLES", "10"))
STATEFUL_SCENARIOS = int(os.environ.get("BUDDY_FUZZ_SCENARIOS", "30"))
STATEFUL_STEPS = 10
# The coverage phase adds some hundred boundary-value requests per operation: make fuzz only.
COVERAGE_PHASE = os.environ.get("BUDDY_FUZZ_COVERAGE") == "1"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# What the last run saw, for `make fuzz` to show.
SUMMARY = PROJECT_ROOT / "test-output" / "api-fuzz.json"
FUZZ_SETTINGS = dict(derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))

# Loaded when the module is collected: one test per operation, named after it. (Loading
# from a fixture, schemathesis' lazy mode, does not run under pytest 9 yet.) The schema
# view needs no database and no login.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE_PHASE}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
# Read at collection, before any test database exists: Django renames it when it makes one.
CONFIGURED_DATABASE = connection.settings_dict["NAME"]


@dataclass
class Fuzzed:
    """The committed data of the run, and what the run saw."""

    token: str = ""
    # "/api/participants/" -> ids its list answers with; "*" -> every seeded row's id.
    ids: dict = field(default_factory=dict)
    operations: set = field(default_factory=set)
    requests: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)

    def figures(self, **extra) -> dict:
        return {**extra, "operations": len(OPERATIONS), "operations_called": len(self.operations),
                "examples_per_operation": EXAMPLES_PER_OPERATION,
                "stateful_scenarios": STATEFUL_SCENARIOS, "requests": dict(self.requests),
                "answers": dict(sorted(self.statuses.items())),
                "server_errors": self.failures["server errors"],
                "schema_violations": self.failures["schema violations"]}

    def ids_for(self, path: str) -> list:
        collection = path.split("{", 1)[0]
        return self.ids.get(collection) or self.ids.get("*", [])

    def headers(self) -> dict:
        return {"Authorization": f"Token {self.token}"}

    def call_and_validate(self, case, kind: str):
        self.operations.add(case.operation.label)
        self.requests[kind] += 1
        response = case.call(headers=self.headers())
        self.statuses[f"{response.status_code // 100}xx"] += 1
        self.validate(case, response)
        return response

    def validate(self, case, response, **kwargs):
        """The checks; a failing answer is counted (Hypothesis' shrinking repeats some)."""
        try:
            case.validate_response(response, checks=CHECKS, headers=self.headers(), **kwargs)
        except FailureGroup as group:
            for failure in group.exceptions:
                server = isinstance(failure, ServerError)
                self.failures["server errors" if server else "schema violations"] += 1
            raise


FUZZED = Fuzzed()


def _list_ids(client, path):
    answer = client.get(path)
    if answer.status_code != 200 or "json" not in answer.get("Content-Type", ""):
        return []
    body = answer.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row][:5]


@pytest.fixture(scope="module")
def test_database(django_db_setup, django_db_blocker):
    """pytest-django creates the test database for the tests that ask for `db` or its marker,
    which would put them in a transaction; these do not, so when they run alone (make fuzz)
    they create it themselves."""
    if connection.settings_dict["NAME"] != CONFIGURED_DATABASE:
        yield
        return
    with django_db_blocker.unblock():
        old_config = setup_databases(verbosity=0, interactive=False,
                                     aliases={DEFAULT_DB_ALIAS})
    yield
    with django_db_blocker.unblock():
        teardown_databases(old_config, verbosity=0)


@pytest.fixture(scope="module")
def fuzzed(test_database, django_db_blocker):
    """One organisation full of data, committed; flushed (as after a transactional test)
    when the module ends, with the figures of the run written to test-output/."""
    with django_db_blocker.unblock(), time_machine.travel(DAYTIME, tick=True):
        with all_organisations():
            ensure_postcodes()
            organisation = OrganisationFactory(name="Fuzzed project")
            objects = isolation.build(organisation)
            # The isolation's session is over: the session actions get some to come as well.
            objects += factories_coaching.SessionFactory.create_batch(
                4, organisation=organisation, audience="volunteers")
            coordinator = CoordinatorFactory(organisation=organisation, username="fuzzer")
            FUZZED.token = api_token_for(coordinator)
        client = Client(HTTP_AUTHORIZATION=f"Token {FUZZED.token}")
        FUZZED.ids["*"] = sorted({obj.pk for obj in objects})
        for operation in OPERATIONS:
            if operation.method.upper() == "GET" and "{" not in operation.path:
                FUZZED.ids[operation.path] = _list_ids(client, operation.path)
    yield FUZZED
    figures = FUZZED.figures(vendor=connection.vendor)
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text(json.dumps(figures, indent=2) + "\n")
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def committed(fuzzed, django_db_blocker):
    """Database access without a test transaction: each request commits, as in production."""
    with django_db_blocker.unblock():
        yield fuzzed


@schema.hook("flatmap_path_parameters")
def _real_ids_often(context, path_parameters):
    """The generated `{id}`, or (as often) the id of a row the operation's list answers with."""
    ids = FUZZED.ids_for(context.operation.path)
    if not path_parameters or "id" not in path_parameters or not ids:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters),
                     st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk}))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_every_operation_takes_an_empty_body_twice_on_real_rows(operation, committed):
    """What a client sends to an action with nothing to say: `{}` (or no body at all), and
    the same again (a double click). First in the module, so each operation meets its rows as
    they were seeded; the generated requests below change them."""
    takes_body = "requestBody" in operation.definition.raw
    # Each operation starts at another row of the list, so that one (a cancel) rarely leaves
    # the next (an invitation) only rows it cannot act on.
    ids, start = committed.ids_for(operation.path), OPERATIONS.index(operation)
    rows = [ids[(start + k) % len(ids)] for k in range(min(2, len(ids)))]
    for pk in rows if "{id}" in operation.path else [None]:
        case = operation.Case(
            path_parameters={"id": pk} if pk is not None else None,
            **({"body": {}, "media_type": "application/json"} if takes_body else {}),
        )
        committed.call_and_validate(case, "empty body")
        committed.call_and_validate(case, "empty body")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, **FUZZ_SETTINGS)
def test_the_api_answers_every_generated_request_without_a_server_error(case, committed):
    committed.call_and_validate(case, "generated")


def test_the_api_answers_sequences_of_linked_calls_without_a_server_error(committed):
    """Schemathesis' stateful phase, along the links it infers from the schema."""

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": committed.headers()}

        def after_call(self, response, case):
            super().after_call(response, case)
            committed.operations.add(case.operation.label)
            committed.requests["stateful"] += 1
            committed.statuses[f"{response.status_code // 100}xx"] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            committed.validate(case, response, transport_kwargs=kwargs)

    assert schema.statistic.transitions.total > 0, "no links to follow between operations"
    Workflow.run(settings=settings(max_examples=STATEFUL_SCENARIOS,
                                   stateful_step_count=STATEFUL_STEPS, **FUZZ_SETTINGS))
