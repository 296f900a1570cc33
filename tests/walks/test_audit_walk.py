"""Every staff page, API answer and admin page that shows a person's record is audited, once.

Every URL pattern is requested (GET) as the organisation's own admin, filled with the ids of
that organisation's rows (the builders of tests/isolation.py). When an answer shows a
participant's or a volunteer's personal data (their names or intake text, which the builders
mark), the request must have written exactly one audit event ("view" or "export"), unless the
path is in NOT_A_PERSON_RECORD below: lists and overviews that show many people, reviewed one
by one. No GET writes more than one event (one event per view, not per query).

A new page that shows a person and does not call `organisations.audit.audit` (or mix in
`AuditedViewSetMixin`, or sit in the admin of a person model) fails here.
"""

import re

import pytest

from matching.intake.models import Participant, Volunteer
from organisations.models import AuditEvent
from organisations.scoping import all_organisations
from tests import isolation
from tests.factories import OrganisationAdminFactory, OrganisationFactory
from tests.walks.test_isolation import PLACEHOLDER, all_paths, body, candidate_values

# Pages that show people but not one person's record: lists and overviews (auditing them
# would put every page load of the day in the log without saying whose record was read).
# Reviewed: each entry says why. A path here that no longer exists fails the test.
NOT_A_PERSON_RECORD = {
    "/": "the coordinator's home: counts and task lists",
    "/waiting-list/": "the waiting list: many people (its export is audited)",
    "/recruitment/": "recruitment figures and lists",
    "/volunteers/": "the list of volunteers",
    "/applications/": "the list of applications: duplicates, applicants, people to confirm",
    "/screening/": "the screening board: applicants by stage",
    "/refer/<str:key>/": "a partner's referral page: the first names of its own referrals, "
                         "a list (the partner has no account to audit)",
    "/duos/": "the list of duos",
    "/duos/follow-up/": "the follow-up list of duos",
    "/duos/expenses/": "the expenses overview of all duos (its exports are audited)",
    "/coaching/sessions/": "the list of intervision sessions",
    "/coaching/contacts/": "the list of coaching contacts",
    "/coaching/training/": "the list of training modules",
    "/coaching/support/": "the coaching support overview",
    "/messages/": "the message log of everyone (one person's log is audited, "
                  "tests/desk/test_privacy_audit.py)",
    "/messages/tasks/": "the coordinator's task list",
    "/reminders/": "the reminders overview",
    "/proposals/": "the overview of proposals",
    "/api/participants/": "a list",
    "/api/volunteers/": "a list",
    "/api/waiting-list/": "a list",
    "/api/recruitment/": "figures and lists",
    "/api/duos/duos/": "a list",
    "/api/duos/follow-up/": "a list",
    "/api/duos/meeting-logs/": "a list",
    "/api/duos/expenses/": "a list",
    "/api/duos/alerts/": "a list",
    "/api/coaching/contacts/": "a list",
    "/api/coaching/invitations/": "a list",
    "/api/coaching/attendance/": "a list",
    "/api/proposals/": "a list",
    "/coaching/sessions/new/": "an empty form: people's names only as choices",
    "/coaching/figures/": "figures of the organisation",
}
AUDITED_ACTIONS = {"view", "export"}
# Values for placeholders that are not ids.
NAMED_VALUES = {
    "format": ["json"], "fmt": ["json", "md"], "file_format": ["csv"],
    "kind": ["participant", "volunteer"], "app_label": ["matching"],
}


def person_markers(organisation) -> set[str]:
    """The names of every participant and volunteer the builders made (marked)."""
    markers = set()
    for model in (Participant, Volunteer):
        for names in model.objects.filter(organisation=organisation).values_list(
                "first_name", "last_name"):
            markers |= {value for value in names if isolation.SECRET in value}
    return markers


def is_a_list(path: str) -> bool:
    """A list or overview: reviewed in NOT_A_PERSON_RECORD, or the admin's list of a model
    (its rows' pages are audited by ScopedAdmin)."""
    path = path.replace("\\.<format>", "")
    return path in NOT_A_PERSON_RECORD or re.fullmatch(r"/admin/\w+/\w+/", path) is not None


def fillings(path: str, ids: list[str]):
    names = [match.group("name") for match in PLACEHOLDER.finditer(path)]
    if not names:
        yield path
        return
    variable = [name for name in names if name not in NAMED_VALUES]
    for value in ids if variable else [None]:
        for named in _combinations([n for n in names if n in NAMED_VALUES]):
            def replace(match, value=value, named=named):
                name = match.group("name")
                return named[name] if name in named else str(value)

            yield PLACEHOLDER.sub(replace, path).replace("\\.", ".")


def _combinations(names):
    if not names:
        yield {}
        return
    first, rest = names[0], names[1:]
    for value in NAMED_VALUES[first]:
        for others in _combinations(rest):
            yield {first: value, **others}


def audited_events_count(before: int) -> tuple[int, int]:
    new = AuditEvent.objects.filter(pk__gt=before).exclude(action__startswith="log")
    return new.count(), new.filter(action__in=AUDITED_ACTIONS).count()


@pytest.mark.django_db
def test_every_staff_view_of_a_persons_record_writes_one_audit_event(client):
    with all_organisations():
        organisation = OrganisationFactory(name=f"{isolation.ORGANISATION} Project")
        objects = isolation.build(organisation)
        admin = OrganisationAdminFactory(organisation=organisation, username="own-admin")
        markers = person_markers(organisation)
    client.force_login(admin)
    assert markers
    paths = set(all_paths())
    unaudited, doubled, shown = [], [], set()
    for path in sorted(paths):
        for url in fillings(path, candidate_values(objects, path)):
            last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            written, audited = audited_events_count(last)
            if written > 1:
                doubled.append((url, written))
            if response.status_code != 200:
                continue
            text = body(response)
            if not any(marker in text for marker in markers):
                continue
            shown.add(path)
            if not is_a_list(path) and audited != 1:
                unaudited.append(url)
    assert set(NOT_A_PERSON_RECORD) - paths == set(), "stale entries in NOT_A_PERSON_RECORD"
    assert sorted(set(unaudited)) == [], "pages showing a person without exactly one event"
    assert doubled == [], "requests that wrote more than one audit event"
    # The walk proves something only if it reached the records themselves.
    for path in ("/participants/<int:pk>/", "/volunteers/<int:pk>/", "/duos/<int:pk>/",
                 "/api/participants/<pk>/", "/admin/matching/participant/<path:object_id>/change/"):
        assert path in shown, path
