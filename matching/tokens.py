"""The personal links of participants (/p/<token>/) and volunteers (/v/<token>/).

One small place for the token handling, so that it can be switched to notifications'
signed links when that app lands: a random 192-bit token is sent in the link; only its
SHA-256 is stored, with an expiry. Looking a token up opens no scope of its own: it
returns the row's id and organisation id, and the page opens that organisation's scope.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from organisations.scoping import all_organisations

TOKEN_BYTES = 24
MAX_TOKEN_LENGTH = 64


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(obj, valid_days: int) -> str:
    """Gives `obj` (a Proposal or a VolunteerOffer) a fresh token and returns it; an earlier
    link of the same row stops working."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    obj.token_hash = hash_token(raw)
    obj.expires_at = timezone.now() + timedelta(days=valid_days)
    obj.save(update_fields=["token_hash", "expires_at"])
    return raw


def find(model, raw: str):
    """(id, organisation id) of the row whose token this is, or None for anything else."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    with all_organisations():
        return (model.objects.filter(token_hash=hash_token(raw))
                .values_list("pk", "organisation_id").first())


def is_expired(obj, now=None) -> bool:
    return obj.expires_at is not None and (now or timezone.now()) >= obj.expires_at
