"""A short path for signed-link pages opened again and again (a participant opens the link
of an SMS several times; phones fetch a preview first).

The first visit goes the whole way: every middleware, the link, the page's own queries, the
template. When the page's view marks the response with `remember(...)`, the outermost
middleware keeps it as it left the server (status, every header, the body) with what it
depends on: cache keys and their values (for matching's participant page, the
organisation's versions, which its services move whenever a person or a proposal changes)
and a moment it stops being valid. The next visit with the same token checks, before any
other middleware, that the link still works (one query: not revoked, not expired, not
spent) and that those keys still hold those values (read with the page in one cache round
trip: rooms register the keys their pages depend on, `hooks.register_link_page_stamp`), and
sends the
kept page: no session, user, scope, URL resolver or template. Anything else goes the whole
way again.
"""

import time

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone

from organisations.scoping import all_organisations

from . import hooks, links
from .models import SignedLink

PREFIX = "/s/"
PAGE_KEY = "notifications:link-page:{}"
MAX_SECONDS = 300


def remember(response, *, keys, values, until):
    """Marks a link page's response as one to keep while the cache `keys` hold `values`
    and until the datetime `until` (at most five minutes)."""
    response.link_page_cache = (list(keys), list(values), until.timestamp())
    return response


def _key(token):
    parts = links.decode(token)
    if parts is None:
        return None, []
    return (PAGE_KEY.format(links.hash_secret(parts.secret)),
            hooks.link_page_stamp_keys(parts.organisation_id))


class LinkPageCacheMiddleware:
    """First in MIDDLEWARE: sends a kept link page that is still valid, and keeps the
    pages their views marked (`remember`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path.startswith(PREFIX):
            return self.get_response(request)
        key, stamp_keys = _key(request.path[len(PREFIX):])
        if key is not None:
            # The kept page and what it depends on, in one round trip.
            found = cache.get_many([key, *stamp_keys])
            kept = _valid(found.pop(key, None), found, stamp_keys)
            if kept is not None:
                return kept
        response = self.get_response(request)
        marked = getattr(response, "link_page_cache", None)
        if key is not None and marked is not None and response.status_code == 200:
            _keep(key, request, response, marked)
        return response


def _keep(key, request, response, marked):
    keys, values, until = marked
    seconds = min(until - time.time(), MAX_SECONDS)
    if seconds <= 1 or getattr(response, "streaming", False) or response.cookies:
        return
    cache.set(key, {
        "link": request.link_page_id, "keys": keys, "values": values, "until": until,
        "status": response.status_code, "headers": list(response.items()),
        "content": response.content,
    }, int(seconds))


def _valid(entry, found, fetched):
    if not entry or entry["until"] <= time.time():
        return None
    now = timezone.now()
    with all_organisations():
        usable = SignedLink.objects.filter(
            pk=entry["link"], revoked_at__isnull=True, expires_at__gt=now,
        ).exclude(single_use=True, used_at__isnull=False).exists()
    if not usable:
        return None
    if not set(entry["keys"]) <= set(fetched):
        found = cache.get_many(entry["keys"])
    if [found.get(k) for k in entry["keys"]] != entry["values"]:
        return None
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    return response
