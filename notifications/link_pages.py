"""The skeleton every signed-link page shares (the pages the rooms register as link views).

notifications resolves the token, opens the link's organisation scope and language, and shows
its friendly page when a link does not work or a page raises `LinkInvalid`. A page then:
reads the id in the link's subject (`subject_id`), checks the link was sent to the person the
thing belongs to (`check_recipient`), does the one thing the link is for and spends the link
in the same transaction (`spend`), and renders with headers that keep the token out of caches,
search engines and referrers (`page`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render

from .services import LinkInvalid, link_use


def subject_id(link, kind: str) -> int:
    """The id in the link's subject `<kind>:<id>[:<more>]`; anything else is not a link for
    this page."""
    parts = link.subject.split(":")
    if parts[0] != kind or len(parts) < 2 or not parts[1].isdigit():
        raise LinkInvalid()
    return int(parts[1])


def check_recipient(link, role: str, pk) -> None:
    """The link was sent to `<role>:<pk>` (the person the page is about), or it opens nothing."""
    if pk is None or link.recipient_key != f"{role}:{pk}":
        raise LinkInvalid()


def spend(link, action):
    """Runs the action and spends the link in one transaction: both happen, or neither."""
    with transaction.atomic():
        result = action()
        link_use(link)
    return result


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def headers(response):
    """No cache keeps the page, no search engine lists it, no referrer carries the token."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def page(request, template, context, status=200):
    return headers(render(request, template, context, status=status))
