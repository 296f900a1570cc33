"""Who sees what, per role, inside one organisation: every URL pattern (pages and API), every
admin model, as an organisation admin, a coordinator, a volunteer and an anonymous visitor.

tests/walks/test_isolation.py proves that nothing crosses organisations; this module proves the
roles within one: staff work with the organisation's data, the audit log is for organisation
admins, a volunteer opens only their own duos and sees only what they need, an anonymous
visitor is sent to log in; coordinator-only notes are marked as such and stay out of the
volunteer's pages and of the exports and reports meant for others.
"""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from duos.models import Agreement, CheckIn, MeetingLog
from organisations.scoping import all_organisations
from tests import isolation
from tests.factories import (
    CoordinatorFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    VolunteerUserFactory,
)
from tests.factories_duos import ParticipantFactory, VolunteerFactory, active_duo
from tests.walks.test_isolation import (
    PLACEHOLDER,
    all_paths,
    body,
    candidate_values,
    fill,
    public_texts,
    volunteer_may_open,
    without_public_texts,
)

# Pages anyone may open (the login page, health, the API schema and docs, signed-link pages).
PUBLIC_PREFIXES = ("/accounts/login/", "/health/", "/i18n/", "/api/schema/", "/api/docs/",
                   "/admin/login/", "/s/", "/messages/s/", "/p/", "/v/", "/messages/sms/",
                   "/api/auth/token/", "/admin/logout/", "/accounts/logout/",
                   "/accounts/password/reset/",  # asking for a new password: anyone
                   "/apply/", "/ask/",  # the public application pages
                   "/refer/")  # a partner's page behind its own key
# Staff pages only an organisation admin opens (the API tokens of the organisation too).
ADMIN_ONLY = {"/audit/", "/messages/usage/", "/api/tokens/", "/outcomes/umbrella/"}
# A volunteer's own pages and API: staff have none.
VOLUNTEER_ONLY = ("/duos/my/", "/api/duos/my/", "/me/")
DENIED = {401, 403, 404, 405, 429}

INTAKE_NOTE = f"{isolation.SECRET} intake note"
COORDINATOR_NOTE = "Zqxcoordinatornote"
OTHER_PARTICIPANT = "Zqxotherperson"


@pytest.fixture
def organisation_data(db):
    with all_organisations():
        organisation = OrganisationFactory(name=f"{isolation.ORGANISATION} Project")
        objects = isolation.build(organisation)
    return organisation, objects


@pytest.fixture
def own_duo(organisation_data):
    """A volunteer with an account and their duo; the organisation has another duo too."""
    organisation, _objects = organisation_data
    user = VolunteerUserFactory(organisation=organisation, username="buddy")
    volunteer = VolunteerFactory(organisation=organisation, user=user)
    participant = ParticipantFactory(organisation=organisation, first_name="Amina",
                                     intake_note=INTAKE_NOTE,
                                     referrer_detail="Zqxreferrer OCMW")
    duo = active_duo(organisation, participant=participant, volunteer=volunteer)
    Agreement.objects.filter(duo=duo).update(how_to_reach="WhatsApp 0470 11 22 33")
    MeetingLog.objects.create(duo=duo, date=datetime.date.today(), duration="1h")
    CheckIn.objects.create(duo=duo, planned_on=datetime.date.today(),
                           done_on=datetime.date.today(), with_whom="both", how="call",
                           note=COORDINATOR_NOTE)
    other = active_duo(organisation, participant=ParticipantFactory(
        organisation=organisation, first_name=OTHER_PARTICIPANT))
    return user, duo, other


def _walk(client, objects, paths=None):
    """(path, url, response) for every URL pattern, filled with the organisation's ids."""
    for path in all_paths() if paths is None else paths:
        values = candidate_values(objects, path) if PLACEHOLDER.search(path) else [None]
        for value in values:
            url = fill(path, value) if value is not None else path
            yield path, url, client.get(url)


def _is_public(path):
    return path == "/" or path.startswith(PUBLIC_PREFIXES)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in_everywhere_but_public_pages(client,
                                                                          organisation_data):
    _organisation, objects = organisation_data
    opened = []
    public = public_texts(objects)
    for path, url, response in _walk(client, objects):
        text = without_public_texts(path, body(response), public)
        assert isolation.SECRET not in text and isolation.ORGANISATION not in text, url
        if _is_public(path):
            continue
        if response.status_code == 302:
            assert "login" in response["Location"], (url, response["Location"])
        elif response.status_code not in DENIED:
            opened.append((url, response.status_code))
    assert opened == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "org_admin"])
def test_staff_open_every_staff_page_and_only_admins_the_audit_log(client, organisation_data,
                                                                   role):
    organisation, objects = organisation_data
    factory = CoordinatorFactory if role == "coordinator" else OrganisationAdminFactory
    client.force_login(factory(organisation=organisation, username=f"staff-{role}"))
    refused = []
    # An organisation admin opens every page filled with the organisation's ids in the audit
    # walk (tests/walks/test_audit_walk.py), which fails on any server error: here they open
    # the pages this test is about, a coordinator every page.
    paths = None if role == "coordinator" else [path for path in all_paths()
                                                 if not PLACEHOLDER.search(path)]
    for path, url, response in _walk(client, objects, paths):
        assert response.status_code < 500, url
        if (PLACEHOLDER.search(path) or _is_public(path) or path.startswith("/admin/")
                or path.startswith(VOLUNTEER_ONLY)):
            continue
        if response.status_code == 403:
            refused.append(path)
    expected = set() if role == "org_admin" else ADMIN_ONLY
    assert set(refused) == expected


@pytest.mark.django_db
def test_a_volunteer_opens_no_staff_page_and_no_page_shows_staff_data(client,
                                                                      organisation_data,
                                                                      own_duo):
    _organisation, objects = organisation_data
    user, duo, other = own_duo
    client.force_login(user)
    opened = []
    public = public_texts(objects)
    for path, url, response in _walk(client, [*objects, duo, other]):
        text = without_public_texts(path, body(response), public)
        for marker in (isolation.SECRET, COORDINATOR_NOTE, OTHER_PARTICIPANT, "Zqxreferrer"):
            assert marker not in text, f"{url} shows {marker}"
        if response.status_code == 200 and not volunteer_may_open(path):
            opened.append(url)
    assert opened == []


@pytest.mark.django_db
def test_a_volunteer_sees_their_own_duo_with_only_what_they_need(client, own_duo):
    user, duo, other = own_duo
    client.force_login(user)
    page = body(client.get(reverse("duos:my_duo")))
    assert "Amina" in page  # the participant's first name
    assert "WhatsApp 0470 11 22 33" in page  # the contact they agreed on
    assert "Haddad" not in page  # not the last name
    for hidden in (INTAKE_NOTE, "Zqxreferrer", COORDINATOR_NOTE, OTHER_PARTICIPANT):
        assert hidden not in page
    api = client.get("/api/duos/my/duos/").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [row["id"] for row in rows] == [duo.pk]
    assert client.get(f"/api/duos/my/duos/{other.pk}/").status_code == 404
    assert client.get(reverse("duos:meeting_log", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_every_admin_model_is_for_staff_only(client, organisation_data):
    organisation, _objects = organisation_data
    models = [model for model in admin.site._registry]
    urls = [reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
            for m in models]
    for url in urls:
        assert client.get(url).status_code == 302, url
    client.force_login(VolunteerUserFactory(organisation=organisation, username="v"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.force_login(CoordinatorFactory(organisation=organisation, username="c"))
    for url in urls:
        assert client.get(url).status_code in (200, 403), url
    scoped = [url for model, url in zip(models, urls, strict=True)
              if hasattr(admin.site._registry[model], "organisation_field")]
    refused = [url for url in scoped if client.get(url).status_code != 200]
    assert scoped and refused == [reverse("admin:organisations_auditevent_changelist"),
                                  reverse("admin:organisations_apitoken_changelist")]
    client.force_login(OrganisationAdminFactory(organisation=organisation, username="a"))
    assert [url for url in scoped if client.get(url).status_code != 200] == []


@pytest.mark.django_db
def test_coordinator_notes_are_marked_on_staff_pages(client, organisation_data, own_duo):
    organisation, _objects = organisation_data
    _user, duo, _other = own_duo
    client.force_login(CoordinatorFactory(organisation=organisation, username="c"))
    participant_page = body(client.get(reverse("matching:participant_detail",
                                               args=[duo.participant_id])))
    assert INTAKE_NOTE in participant_page
    assert participant_page.count("coordinator only") >= 2  # intake note and referrer
    duo_page = body(client.get(reverse("duos:detail", args=[duo.pk])))
    before_note = duo_page.split(COORDINATOR_NOTE)[0]
    assert "coordinator only" in before_note[-200:]


@pytest.mark.django_db
def test_exports_and_reports_for_others_hold_no_coordinator_notes(client, organisation_data,
                                                                  own_duo):
    organisation, _objects = organisation_data
    _user, duo, _other = own_duo
    client.force_login(OrganisationAdminFactory(organisation=organisation, username="a"))
    month = datetime.date.today().strftime("%Y-%m")
    for url in (reverse("duos:expense_export_csv") + f"?month={month}",
                reverse("duos:expense_export_xlsx") + f"?month={month}",
                reverse("coaching:figures"), reverse("matching:recruitment"),
                reverse("notifications:usage")):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for hidden in (INTAKE_NOTE, COORDINATOR_NOTE, "Zqxreferrer",
                       f"{isolation.SECRET} motivation"):
            assert hidden not in text, (url, hidden)
