"""Signed links: bound to one person and purpose, expiring, single-use for actions,
revocable; every link that does not work shows the same friendly page, and repeated unknown
tokens from one address are slowed down (never a link that exists: people share an address)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation

from notifications import hooks, links, services
from notifications.models import SignedLink
from organisations.models import Organisation
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db


def page(request, link):
    """A stand-in for an app's page: reads scoped data, and acts on POST."""
    organisation = Organisation.objects.get()  # only works inside the link's scope
    if request.method == "POST":
        with transaction.atomic():
            services.link_use(link)
        return HttpResponse(f"done for {link.subject}")
    return HttpResponse(f"{translation.get_language()} {organisation.name} {link.subject}")


@pytest.fixture(autouse=True)
def _page():
    hooks.register_link_view("tests.page", page)
    yield
    hooks._link_views.pop("tests.page", None)


def make_link(organisation, language="fr", **kwargs):
    kwargs.setdefault("purpose", "tests.page")
    kwargs.setdefault("subject", "proposal:5")
    return services.link_create(organisation_id=organisation.pk, recipient_key="participant:1",
                                language=language, **kwargs)


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_a_link_is_short_unguessable_and_stored_only_as_a_hash(organisation):
    link, url = make_link(organisation)
    token = url.rsplit("/", 1)[1]
    secret = token[-links.SECRET_LENGTH:]
    assert len(url) <= len("http://127.0.0.1:8000/s/") + 26
    assert len(set(secret)) > 5 and all(ch in links.ALPHABET for ch in secret)
    # 22 characters from 62: more than 128 bits.
    assert len(links.ALPHABET) ** links.SECRET_LENGTH > 2**128
    assert link.secret_hash == links.hash_secret(secret) and secret not in link.secret_hash
    other, other_url = make_link(organisation)
    assert other_url != url


def test_the_link_opens_the_apps_page_in_the_persons_language_and_scope(client,
                                                                        organisation):
    _link, url = make_link(organisation, language="fr")
    response = client.get(path_of(url))
    assert response.status_code == 200
    assert response.content.decode() == f"fr {organisation.name} proposal:5"
    assert response["Cache-Control"] == "no-store"


def test_an_action_link_works_once(client, organisation):
    link, url = make_link(organisation)
    assert client.post(path_of(url)).content == b"done for proposal:5"
    second = client.post(path_of(url))  # a double click, or the link used again
    assert second.status_code == 404
    assert "Ce lien ne fonctionne plus" in second.content.decode()  # in the link's language
    assert client.get(path_of(url)).status_code == 404
    link.refresh_from_db()
    assert link.used_at is not None


def test_a_reusable_link_works_until_it_expires(client, organisation):
    _link, url = make_link(organisation, single_use=False, valid_for=timedelta(days=1))
    assert client.post(path_of(url)).status_code == 200
    assert client.post(path_of(url)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert client.get(path_of(url)).status_code == 404


def not_working_pages(client, organisation):
    """The pages of an expired, a used, a revoked, a tampered and an unknown link."""
    expired_link, expired = make_link(organisation, valid_for=timedelta(minutes=5))
    used_link, used = make_link(organisation)
    services.link_use(used_link)
    revoked_link, revoked = make_link(organisation)
    services.link_revoke(link=revoked_link)
    _fine, fine = make_link(organisation)
    tampered = fine[:-1] + ("A" if fine[-1] != "A" else "B")
    unknown = links.url(organisation.pk, "fr", links.new_secret())
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        return {
            name: client.get(path_of(url))
            for name, url in [("expired", expired), ("used", used), ("revoked", revoked),
                              ("tampered", tampered), ("unknown", unknown)]
        }


def test_every_link_that_does_not_work_shows_the_same_friendly_page(client, organisation):
    pages = not_working_pages(client, organisation)
    assert {response.status_code for response in pages.values()} == {404}
    # Equal but for the page's own address and the form's CSRF token.
    bodies = {
        re.sub(r'value="[^"]*"', "", response.content.decode().replace(response.request[
            "PATH_INFO"], "")).encode()
        for response in pages.values()
    }
    assert len(bodies) == 1, "the page must not tell which links exist"
    text = bodies.pop().decode()
    assert organisation.name in text and "09 210 10 10" in text
    assert 'lang="fr"' in text


def test_a_link_of_another_organisation_prefix_does_not_open(client, organisation,
                                                            other_organisation):
    link, url = make_link(organisation)
    token = url.rsplit("/", 1)[1]
    moved = links.encode(other_organisation.pk, "fr", token[-links.SECRET_LENGTH:])
    response = client.get(f"/s/{moved}")
    assert response.status_code == 404
    assert organisation.name not in response.content.decode()


@pytest.mark.parametrize("token", ["x", "1fr", "1xx" + "a" * 22, "zzzzzzzzzzzzz" + "a" * 22,
                                   "1fr" + "a" * 21 + "!", "../etc/passwd"])
def test_malformed_tokens_get_the_page_not_an_error(client, organisation, token):
    assert client.get(f"/s/{token}").status_code == 404


def unknown(organisation, language="fr"):
    """A well-formed token of the organisation that names no link (mistyped, guessed)."""
    return f"/s/{links.encode(organisation.pk, language, links.new_secret())}"


def test_repeated_unknown_tokens_from_one_address_are_slowed_down(client, organisation,
                                                                  settings):
    settings.LINK_BAD_ATTEMPTS_LIMIT = 5
    for _ in range(5):
        assert client.get(unknown(organisation)).status_code == 404
    limited = client.get(unknown(organisation), REMOTE_ADDR="127.0.0.1")
    assert limited.status_code == 429
    assert "Ce lien ne fonctionne plus" in limited.content.decode()  # the same friendly page
    # Another address is not affected.
    assert client.get(unknown(organisation), REMOTE_ADDR="10.1.2.3").status_code == 404


def test_behind_a_proxy_the_limit_counts_per_visitor(client, organisation, settings):
    settings.LINK_BAD_ATTEMPTS_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        client.get(unknown(organisation), HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client.get(unknown(organisation),
                      HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get(unknown(organisation),
                      HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 404


# A shared address (a shelter's or a library's Wi-Fi): what others there mistyped never
# refuses a link that exists.

SHELTER = "198.51.100.23"


def test_on_a_shared_address_real_links_still_open_after_many_unknown_tokens(
        client, organisation):
    _link, valid = make_link(organisation)
    _old, expired = make_link(organisation, valid_for=timedelta(minutes=5))
    used_link, used = make_link(organisation)
    services.link_use(used_link)
    # 25 unknown tokens from the shelter: the default limit is 20 per 15 minutes.
    answers = [client.get(unknown(organisation), REMOTE_ADDR=SHELTER).status_code
               for _ in range(25)]
    assert answers == [404] * 20 + [429] * 5
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        opened = client.get(path_of(valid), REMOTE_ADDR=SHELTER)
        assert opened.status_code == 200
        assert opened.content.decode() == f"fr {organisation.name} proposal:5"
        for no_longer in (expired, used):
            page = client.get(path_of(no_longer), REMOTE_ADDR=SHELTER)
            assert page.status_code == 404  # the friendly page, not "too many tries"
            assert "Ce lien ne fonctionne plus" in page.content.decode()
        # Unknown tokens from there are still limited.
        assert client.get(unknown(organisation), REMOTE_ADDR=SHELTER).status_code == 429


def test_expired_and_used_links_do_not_count_as_bad_tries(client, organisation, settings):
    settings.LINK_BAD_ATTEMPTS_LIMIT = 3
    _old, expired = make_link(organisation, valid_for=timedelta(minutes=5))
    used_link, used = make_link(organisation)
    services.link_use(used_link)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        for _ in range(5):  # people tapping an old SMS again and again
            assert client.get(path_of(expired), REMOTE_ADDR=SHELTER).status_code == 404
            assert client.get(path_of(used), REMOTE_ADDR=SHELTER).status_code == 404
    assert client.get(unknown(organisation), REMOTE_ADDR=SHELTER).status_code == 404


def test_unknown_tokens_are_counted_per_token_prefix(client, organisation,
                                                     other_organisation, settings):
    settings.LINK_BAD_ATTEMPTS_LIMIT = 3
    for _ in range(3):
        client.get(unknown(organisation, "fr"), REMOTE_ADDR=SHELTER)
    assert client.get(unknown(organisation, "fr"), REMOTE_ADDR=SHELTER).status_code == 429
    # The same prefix written with a leading zero is the same prefix.
    padded = f"/s/0{links.encode(organisation.pk, 'fr', links.new_secret())}"
    assert client.get(padded, REMOTE_ADDR=SHELTER).status_code == 429
    # Another organisation's links, or another language's, from the same address.
    assert client.get(unknown(other_organisation, "fr"), REMOTE_ADDR=SHELTER).status_code == 404
    assert client.get(unknown(organisation, "nl"), REMOTE_ADDR=SHELTER).status_code == 404


def test_the_coordinator_can_stop_a_link(coordinator_client, organisation, client):
    link, url = make_link(organisation)
    response = coordinator_client.post(f"/messages/links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(path_of(url)).status_code == 404


def test_another_organisations_coordinator_cannot_stop_a_link(client, other_organisation,
                                                              organisation):
    link, _url = make_link(organisation)
    client.force_login(CoordinatorFactory(organisation=other_organisation))
    assert client.post(f"/messages/links/{link.pk}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_all_open_links_of_a_person_can_be_stopped(organisation):
    make_link(organisation)
    make_link(organisation, purpose="tests.other")
    assert services.links_revoke_for(organisation_id=organisation.pk,
                                     recipient_key="participant:1") == 2
    assert not any(link.is_usable() for link in SignedLink.objects.all())


def test_a_link_without_a_registered_page_is_just_not_working(client, organisation):
    _link, url = make_link(organisation, purpose="tests.nobody")
    assert client.get(path_of(url)).status_code == 404
