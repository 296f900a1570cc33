from django.conf import settings

from organisations.permissions import is_staff_user
from organisations.scoping import organisation_scope

from .conversations.selectors import inbox_unread_count


def messaging(request):
    """What the menu and the home page show of messaging: the messages waiting in the
    inbox (one count, for staff of an organisation) and whether the phone simulator is on."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and is_staff_user(user) and user.organisation_id is not None:
        # Its own scope: a page outside the user's (a signed link's) has the menu too.
        with organisation_scope(user.organisation_id):
            unread = inbox_unread_count()
    return {"sms_simulator": settings.SMS_SIMULATOR, "inbox_unread": unread}
