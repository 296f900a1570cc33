"""Nothing of one organisation leaks to another, nor staff data to a volunteer.

Every URL pattern of the pages, the API and the admin is requested with its parameters
filled in with the ids of another organisation's rows. A page may answer 200 (a list of
one's own data), 403, 404 or a redirect, but never with the other organisation's data.
"""

import html
import re

import pytest
from django.apps import apps
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.urls import get_resolver

from matching.intake.models import Interest, InterestCategory
from matching.intake.referrals.models import Partner, Referral
from organisations.models import Organisation
from organisations.scoping import all_organisations
from tests import isolation
from tests.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    VolunteerUserFactory,
    api_token_for,
)

# Patterns that cannot carry data by construction, with the reason.
NOT_WALKED = {
    "/admin/<url>": "the admin's catch-all, it only redirects",
    "/admin/r/<content_type_id>/<object_id>/": "the admin's redirect to an object's own URL",
}
# The public application pages, by design for anyone: an organisation's forms show its name
# and its catalogue of interests (to tick), and nothing else of it. The walk removes exactly
# those texts before it looks for the markers, so a name or a note would still be caught.
PUBLIC_PAGES = {
    "/apply/<slug:slug>/": "a volunteer's application form",
    "/apply/<slug:slug>/thanks/": "the thank-you page after applying",
    "/ask/<slug:slug>/": "a participant's own request for a buddy",
    "/ask/<slug:slug>/thanks/": "the thank-you page after asking",
    # Behind a partner's own secret key, like a signed link: its form, and the first names
    # of that partner's own referrals with their date and status; nothing else.
    "/refer/<str:key>/": "a partner's referral page",
    # Not public, but the same catalogue: a volunteer ticks their interests on their page.
    "/me/": "a volunteer's own page, with the catalogue of interests to tick",
}
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Pages a volunteer may open; everything else is for staff only.
VOLUNTEER_PAGES = {"/", "/health/", "/api/me/", "/api/schema/", "/api/docs/", "/admin/login/",
                   "/me/"}
# duos: a volunteer's own duo, meeting log and their API (only their own data); coaching:
# their own intervision invitations.
VOLUNTEER_PREFIXES = ("/accounts/", "/i18n/", "/duos/my/", "/api/duos/my/", "/coaching/my/",
                      "/apply/", "/ask/", "/refer/")  # the public pages: anyone


def volunteer_may_open(path: str) -> bool:
    return path in VOLUNTEER_PAGES or path.startswith(VOLUNTEER_PREFIXES)


def all_paths():
    for _view, regex, _namespace, _name in extract_views_from_urlpatterns(
        get_resolver().url_patterns
    ):
        path = simplify_regex(regex)
        if path in NOT_WALKED:
            continue
        yield path


def fill(path: str, value) -> str:
    def replace(match):
        name = match.group("name")
        if name == "format":
            return "json"
        if name == "app_label":
            return "organisations"
        return str(value)

    return PLACEHOLDER.sub(replace, path).replace("\\.", ".")


ADMIN_OBJECT_PAGE = re.compile(r"^/admin/(?P<app_label>[^/<]+)/(?P<model_name>[^/<]+)/<")


def candidate_values(objects, path=None):
    """What fills a path's parameters: the ids (and slugs, tokens) of the data's rows.

    An admin page of one model gets the ids of that model's rows only: another model's id
    reaches no row of it that the data holds. A model without rows in the data gets every
    value."""
    if path and (page := ADMIN_OBJECT_PAGE.match(path)):
        own = [obj for obj in objects if (obj._meta.app_label, obj._meta.model_name)
               == (page["app_label"], page["model_name"])]
        objects = own or objects
    values = {str(obj.pk) for obj in objects}
    for obj in objects:
        for attr in ("slug", "token", "uuid"):
            if getattr(obj, attr, None):
                values.add(str(getattr(obj, attr)))
    return sorted(values)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture
def victim_data(db):
    with all_organisations():
        victim = OrganisationFactory(name=f"{isolation.ORGANISATION} Project")
        objects = isolation.build(victim)
    return victim, objects


def public_texts(objects) -> list[str]:
    """What the public pages show of an organisation: its name and its interests' labels
    (and a partner's page its name and the first names of its referrals)."""
    texts = []
    for obj in objects:
        if isinstance(obj, Organisation):
            texts.append(obj.name)
        if isinstance(obj, Interest | InterestCategory):
            texts += [obj.label_nl, obj.label_fr, obj.label_en]
        if isinstance(obj, Partner):
            texts.append(obj.name)
        if isinstance(obj, Referral):
            texts.append(obj.participant.first_name)
    return sorted({text for text in texts if text}, key=len, reverse=True)


def without_public_texts(path, text, public) -> str:
    """The page's text without what a public page shows by design (see PUBLIC_PAGES)."""
    if path in PUBLIC_PAGES:
        for shown in public:
            text = text.replace(html.escape(shown), "").replace(shown, "")
    return text


def walk(client, objects, forbidden_markers):
    visited = []
    public = public_texts(objects)
    for path in all_paths():
        values = candidate_values(objects, path) if PLACEHOLDER.search(path) else [None]
        for value in values:
            url = fill(path, value) if value is not None else path
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            text = without_public_texts(path, body(response), public)
            for marker in forbidden_markers:
                assert marker not in text, f"{url} ({response.status_code}) shows {marker}"
            visited.append((path, url, response.status_code))
    return visited


@pytest.mark.django_db
def test_another_organisations_coordinator_sees_nothing_of_it(client, victim_data):
    _victim, objects = victim_data
    intruder = CoordinatorFactory(organisation=OrganisationFactory(), username="intruder")
    client.force_login(intruder)
    visited = walk(client, objects, [isolation.SECRET, isolation.ORGANISATION])
    assert len({path for path, _, _ in visited}) == len(set(all_paths()))


@pytest.mark.django_db
def test_another_organisations_token_sees_nothing_of_it(api_client, victim_data):
    _victim, objects = victim_data
    intruder = CoordinatorFactory(organisation=OrganisationFactory(), username="intruder")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(intruder)}")
    walk(api_client, objects, [isolation.SECRET, isolation.ORGANISATION])


@pytest.mark.django_db
def test_a_volunteer_of_the_organisation_sees_no_staff_data(client, victim_data):
    victim, objects = victim_data
    volunteer = VolunteerUserFactory(organisation=victim, username="buddy")
    client.force_login(volunteer)
    visited = walk(client, objects, [isolation.SECRET])
    staff_pages_opened = [
        url for path, url, status in visited
        if status == 200 and not volunteer_may_open(path)
    ]
    assert staff_pages_opened == []


@pytest.mark.django_db
def test_anonymous_visitor_sees_no_organisation_data(client, victim_data):
    _victim, objects = victim_data
    walk(client, objects, [isolation.SECRET, isolation.ORGANISATION])


@pytest.mark.django_db
def test_every_scoped_model_is_in_the_isolation_data(victim_data):
    """A new model must get a row in tests/isolation.py, or the walk proves nothing for it."""
    _victim, objects = victim_data
    covered = {type(obj) for obj in objects}
    scoped = {
        model for model in apps.get_models()
        if any(type(m).__module__ == "django_scopes.manager" for m in model._meta.managers)
    }
    assert scoped - covered == set()
