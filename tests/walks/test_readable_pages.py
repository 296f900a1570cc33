"""Readable everywhere: every page, as each role, shows words, never internal codes or keys.

Every page (not the API, not Django's admin, not the downloads) is opened in Dutch as a
coordinator, an organisation admin and a volunteer of an organisation full of data (the
isolation data of tests/isolation.py: a row of every model), its ids filled in until a page
answers. The text a person sees (not the markup, not attribute values) must not hold:
"""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from matching.intake.models import Participant
from notifications.models import CoordinatorTask, Message
from organisations.scoping import all_organisations
from tests import isolation
from tests.factories import (
    CoordinatorFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    VolunteerUserFactory,
)
from tests.walks.test_isolation import PLACEHOLDER, all_paths, body, candidate_values, fill

CODES = {
    "a code in snake_case (check_back, none_of_these)": re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),
    "a person or object key (participant:30)": re.compile(
        r"\b(?:participant|volunteer|invitation|duo|proposal|session|offer|user):\d+\b"),
    "a message kind or link purpose (matching.proposal)": re.compile(
        r"\b(?:matching|duos|coaching|notifications|reminders|desk|organisations)\.[a-z_]+\b"),
    "a provider's words or error code": re.compile(r"Provider reports|\bnot delivered \d+"),
    "a Python value": re.compile(r"\b(?:None|True|False)\b|\[\]|\{\}"),
}
SKIPPED = ("/api/", "/admin/", "/health/", "/static/", "/i18n/", "/s/",
           # The audit log is the administrator's technical record: it names records by
           # their reference on purpose, so that it keeps no names after anonymisation.
           "/audit/")
DOWNLOADS = re.compile(r"\.(csv|xlsx|pdf|ics)$|/export|/receipt/|/download")


class _VisibleText(HTMLParser):
    """The text nodes a reader sees: no script, style, template or hidden content."""

    HIDDEN = {"script", "style", "template", "noscript", "title"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def codes_in(text: str) -> list[str]:
    found = []
    for what, pattern in CODES.items():
        for match in pattern.finditer(text):
            found.append(f"{what}: {match.group(0)!r}")
    return found


def pages():
    return sorted(path for path in set(all_paths())
                  if not path.startswith(SKIPPED) and not DOWNLOADS.search(path))


@pytest.fixture
def full_organisation(db):
    with all_organisations():
        organisation = OrganisationFactory(name="Samen Op Weg Gent")
        objects = isolation.build(organisation)
        # What the issue saw on the demo: an SMS the provider could not deliver, the task it
        # made, and a paused participant's check-back task.
        participant = next(o for o in objects if isinstance(o, Participant))
        failed = Message.objects.create(
            organisation=organisation, direction="out", channel="sms",
            template="matching.proposal", recipient_key=f"participant:{participant.pk}",
            first_name="Fatima", phone="+32470123498", body="Hallo", status="failed",
            error="Provider reports: not delivered 30003", idempotency_key="walk-failed")
        for kind, detail in (("call_undelivered", failed.error), ("check_back", "Bellen")):
            CoordinatorTask.objects.create(organisation=organisation, kind=kind, detail=detail,
                                           recipient_key=f"participant:{participant.pk}",
                                           first_name="Fatima", message=failed)
    return organisation, objects


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "organisation admin", "volunteer"])
def test_no_page_shows_an_internal_code_or_key(client, full_organisation, role):
    organisation, objects = full_organisation
    factory = {"coordinator": CoordinatorFactory, "organisation admin": OrganisationAdminFactory,
               "volunteer": VolunteerUserFactory}[role]
    client.force_login(factory(organisation=organisation, username=f"walker-{role[:5]}",
                               language="nl"))
    values = candidate_values(objects)
    problems, opened = [], 0
    with translation.override("nl"):
        for path in pages():
            for value in (values if PLACEHOLDER.search(path) else [None]):
                url = fill(path, value) if value is not None else path
                response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
                if response.status_code != 200 or "html" not in response.get("Content-Type",
                                                                             ""):
                    continue
                opened += 1
                html = body(response)
                problems += [f"{url}: {found}" for found in codes_in(visible_text(html))]
                # The title is what a tab and a screen reader say first: words only.
                title = re.search(r"<title>(.*?)</title>", html, re.S)
                if title is None or "<" in title.group(1) or not title.group(1).strip():
                    problems.append(f"{url}: a title with markup or none")
                break  # one filled-in page per pattern is enough
    assert opened > (40 if role != "volunteer" else 3)
    assert problems == [], "\n".join(sorted(set(problems)))


def test_the_pattern_list_catches_what_the_issue_saw():
    seen = ("Terugbellen: check_back", "participant:30", "invitation:32",
            "Provider reports: not delivered 30003", "matching.proposal")
    assert all(codes_in(text) for text in seen)
    assert codes_in("Fatima wacht sinds 3 februari 2025 op een buddy.") == []
