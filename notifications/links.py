"""The shape of a signed link: short enough for an SMS, unguessable, stored only as a hash.

    https://buddy.example.org/s/1nlQ3x...   (22 random letters and digits: 131 bits)

Before the secret come the organisation (base 36) and the person's language. They are not
secret, and they let a link that no longer works, or never did, show the same friendly page
in the right language with the coordinator's number: the page tells nothing about whether
the secret exists.
"""

import hashlib
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 22  # 62**22 > 2**130
REDACTED = "*" * SECRET_LENGTH  # "*" is GSM-7: a redacted text has the same segments
_DIGITS36 = string.digits + string.ascii_lowercase


@dataclass(frozen=True)
class Token:
    organisation_id: int
    language: str
    secret: str


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def hash_secret(secret: str) -> str:
    # The secret is 131 random bits: a plain hash cannot be reversed, no salt is needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS36[digit] + out
        if not number:
            return out


def encode(organisation_id: int, language: str, secret: str) -> str:
    return f"{_base36(organisation_id)}{language[:2]}{secret}"


def decode(token: str) -> Token | None:
    if len(token) < SECRET_LENGTH + 3 or len(token) > SECRET_LENGTH + 10:
        return None
    prefix, secret = token[:-SECRET_LENGTH], token[-SECRET_LENGTH:]
    organisation, language = prefix[:-2], prefix[-2:]
    if not all(ch in ALPHABET for ch in secret) or not organisation.isalnum():
        return None
    if language not in {code for code, _name in settings.LANGUAGES}:
        return None
    try:
        return Token(int(organisation, 36), language, secret)
    except ValueError:
        return None


def url(organisation_id: int, language: str, secret: str) -> str:
    path = reverse("link", kwargs={"token": encode(organisation_id, language, secret)})
    return f"{settings.SITE_URL}{path}"


def redacted_url(organisation_id: int, language: str) -> str:
    return url(organisation_id, language, REDACTED)
