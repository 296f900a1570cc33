"""How long a proposal or a volunteer's question can be answered by link or SMS.

The links themselves are notifications' signed links (`/s/<token>`, made when a message
goes out; see matching/messaging.py). A proposal and an offer keep their own `expires_at`:
the answer window, refreshed when a reminder goes out.
"""

from django.utils import timezone


def is_expired(obj, now=None) -> bool:
    return obj.expires_at is not None and (now or timezone.now()) >= obj.expires_at
