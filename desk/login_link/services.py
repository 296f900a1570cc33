"""A volunteer logs in by a single-use link sent by SMS or e-mail (15 minutes), as well as
by password. Staff cannot: they pass a second factor. Asking is rate-limited per address
and per account, and answers the same whether an account was found or not."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from buddy import ratelimit
from matching.intake import reach
from notifications import link_pages
from notifications import services as notify
from notifications.views import client_ip
from organisations.models import AuditAction, User
from organisations.scoping import organisation_scope
from organisations.services import audit_record

from ..password_reset.services import accounts_for
from .sms_texts import LOGIN_LINK

logger = logging.getLogger(__name__)

LINK_PURPOSE = "desk.login_link"
LINK_VALID_FOR = timedelta(minutes=15)
BACKEND = "django.contrib.auth.backends.ModelBackend"


def address_over_limit(request) -> bool:
    """One more request from this visitor's address; True when it asked too often."""
    return ratelimit.hit(f"login-link:address:{client_ip(request)}",
                         settings.PASSWORD_RESET_ADDRESS_LIMIT, settings.PASSWORD_RESET_WINDOW)


def _send(user, volunteer) -> None:
    key = f"login-link:{user.pk}:{secrets.token_hex(8)}"  # every request a new message
    link = notify.LinkSpec(purpose=LINK_PURPOSE, subject=f"user:{user.pk}",
                           valid_for=LINK_VALID_FOR, single_use=True)
    with organisation_scope(volunteer.organisation_id), transaction.atomic():
        channel = reach.channel_for(volunteer)
        if channel == "email":
            with translation.override(reach.language_of(volunteer)):
                context = {"title": _("Your link to log in"),
                           "lines": [_("This link logs you in once, within 15 minutes. Did "
                                       "you not ask for it? Then ignore this e-mail.")],
                           "link_label": _("Log in:")}
            notify.email_send(recipient=reach.recipient(volunteer),
                              template="notifications.generic", idempotency_key=key,
                              context=context, link=link)
        elif channel in ("sms", "whatsapp"):
            notify.sms_send(recipient=reach.recipient(volunteer), template=LOGIN_LINK,
                            idempotency_key=key, link=link)


def login_link_request(*, request, login_name: str) -> None:
    """Sends each volunteer account `login_name` names a single-use login link by their
    channel, unless that account asked too often this hour; audits each one sent. Says
    nothing about what it found."""
    for user, volunteer in accounts_for(login_name):
        if volunteer is None or not user.is_volunteer:
            continue  # staff log in with password and second factor
        if ratelimit.hit(f"login-link:account:{user.pk}", settings.PASSWORD_RESET_LIMIT,
                         settings.PASSWORD_RESET_WINDOW):
            logger.warning("Login link: too many requests for user %s", user.pk)
            continue
        try:
            _send(user, volunteer)
        except Exception:  # a broker that is down must not give a different page
            logger.exception("Could not send the login link of user %s", user.pk)
            continue
        audit_record(request_or_actor=request, action=AuditAction.PASSWORD_RESET_REQUEST,
                     subject_ref=f"organisations.user:{user.pk}",
                     label=f"user #{user.pk} (login link)", organisation=user.organisation_id)


def login_by_link(*, request, link, user: User) -> User:
    """Spends the link and logs the volunteer in, in one transaction: a second click finds
    the link used."""
    def enter():
        login(request, user, backend=BACKEND)  # audited as a login by organisations.signals
        return user
    return link_pages.spend(link, enter)
