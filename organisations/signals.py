"""Logins, failed logins, logouts and lock-outs go to the audit log.

Receivers of Django's and django-axes' own signals: this is logging, not a workflow.
"""

import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction, User
from .services import audit_record

# The session key of SessionIdleTimeoutMiddleware: when the session last saw a request.
LAST_SEEN_SESSION_KEY = "_last_seen"


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    if settings.SESSION_IDLE_TIMEOUT and hasattr(request, "session"):
        request.session[LAST_SEEN_SESSION_KEY] = int(time.time())
    audit_record(
        request_or_actor=request, actor=user, action=AuditAction.LOGIN_SUCCESS,
        subject_ref=f"organisations.user:{user.pk}", label=user.get_username(),
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    audit_record(
        request_or_actor=request, actor=user, action=AuditAction.LOGOUT,
        subject_ref=f"organisations.user:{user.pk}", label=user.get_username(),
    )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    user = _known_user(credentials.get("username"))
    audit_record(
        request_or_actor=request, action=AuditAction.LOGIN_FAILURE,
        subject_ref=f"organisations.user:{user.pk}" if user else "",
        # The username typed is kept only when it is an account: a password typed
        # into the username field must not land in the log.
        label=user.get_username() if user else "",
        organisation=user.organisation_id if user else None,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = _known_user(username)
    audit_record(
        request_or_actor=request, action=AuditAction.LOCKOUT,
        subject_ref=f"organisations.user:{user.pk}" if user else "",
        label=user.get_username() if user else "",
        organisation=user.organisation_id if user else None,
    )


def _known_user(username):
    if not isinstance(username, str) or not username or "\x00" in username:
        return None
    return (
        User.objects.filter(username=username[:150])
        .only("pk", "username", "organisation_id").first()
    )
