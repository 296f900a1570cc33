"""Password reset: asking for it (an e-mail or an SMS link, within a rate limit, audited)
and setting the new password (audited, in one transaction with spending the link)."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from buddy import ratelimit
from matching.intake import reach
from matching.intake.models import Volunteer
from notifications import link_pages
from notifications import services as notify
from notifications.views import client_ip
from organisations.models import AuditAction, User
from organisations.scoping import all_organisations, organisation_scope
from organisations.services import audit_record

from . import tasks
from .sms_texts import PASSWORD_RESET

logger = logging.getLogger(__name__)

LINK_PURPOSE = "desk.password_reset"
LINK_VALID_FOR = timedelta(hours=1)


def _over_limit(key: str, limit: int) -> bool:
    """Counts one request under `key`; True once it is past `limit` within
    PASSWORD_RESET_WINDOW seconds."""
    return ratelimit.hit(key, limit, settings.PASSWORD_RESET_WINDOW)


def address_over_limit(request) -> bool:
    """One more request from this visitor's address; True when it asked too often. Counted
    whatever was typed, so the answer says nothing about accounts."""
    return _over_limit(f"password-reset:address:{client_ip(request)}",
                       settings.PASSWORD_RESET_ADDRESS_LIMIT)


def accounts_for(login: str) -> list[tuple[User, Volunteer | None]]:
    """The active accounts with a password that `login` names (a username, an e-mail
    address or a volunteer's mobile number), each with its volunteer profile if any."""
    login = login.strip()
    if not login:
        return []
    phone = "" if "@" in login else notify.normalise_phone(login)
    with all_organisations():
        profiles = Q(email__iexact=login) if "@" in login else Q(pk__in=[])
        if phone:
            profiles |= Q(phone=phone)
        by_profile = Volunteer.objects.filter(profiles, user__isnull=False).values_list(
            "user_id", flat=True)
        named = Q(username=login) | Q(pk__in=by_profile)
        if "@" in login:
            named |= Q(email__iexact=login)
        return _with_profiles(User.objects.filter(named, is_active=True))


def _with_profiles(users) -> list[tuple[User, Volunteer | None]]:
    """The users that have a password, each with their volunteer profile or None."""
    with all_organisations():
        users = [user for user in users.order_by("pk") if user.has_usable_password()]
        volunteers = {volunteer.user_id: volunteer for volunteer in
                      Volunteer.objects.filter(user__in=users)}
    return [(user, volunteers.get(user.pk)) for user in users]


def _send_email(user: User, address: str) -> None:
    # Django's reset link through the configured e-mail backend, not notifications'
    # message log: the log keeps bodies that staff can read, and this link opens the
    # account.
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    organisation = user.organisation
    context = {"user": user, "link": f"{settings.SITE_URL}{path}",
               "organisation": organisation,
               "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    language = user.language or (organisation.default_language if organisation else "nl")
    with translation.override(language):
        subject = " ".join(render_to_string("registration/password_reset_subject.txt",
                                            context).split())
        body = render_to_string("registration/password_reset_email.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[address]).send()


def password_reset_email_send(user_id: int) -> bool:
    """Sends the reset e-mail to an account that (still) has an address; False when there
    is nothing to send. Called by the task, so that asking takes as long for a known
    account as for an unknown one."""
    found = [(user, volunteer) for user, volunteer in _with_profiles(
        User.objects.filter(pk=user_id, is_active=True))]
    if not found:
        return False
    user, volunteer = found[0]
    channel, address = _channel(user, volunteer)
    if channel != "email":
        return False
    _send_email(user, address)
    return True


def _send_sms(user: User, volunteer: Volunteer) -> None:
    try:
        _sms_queue(user, volunteer)
    except Exception:  # a broker that is down must not give a different page
        logger.exception("Could not queue the password reset SMS of user %s", user.pk)


def _sms_queue(user: User, volunteer: Volunteer) -> None:
    with organisation_scope(volunteer.organisation_id), transaction.atomic():
        notify.sms_send(
            recipient=reach.recipient(volunteer), template=PASSWORD_RESET,
            # Every request is a new message (within the rate limit).
            idempotency_key=f"password-reset:{user.pk}:{secrets.token_hex(8)}",
            link=notify.LinkSpec(purpose=LINK_PURPOSE, subject=f"user:{user.pk}",
                                 valid_for=LINK_VALID_FOR, single_use=True),
        )


def _queue_email(user_id: int) -> None:
    # Inside the request only the task is queued (with the id, never the address): a known
    # account answers as fast as an unknown one, and a broker that is down says nothing.
    try:
        tasks.password_reset_email.delay(user_id)
    except Exception:  # kombu raises many kinds; the visitor sees the same page anyway
        logger.exception("Could not queue the password reset e-mail of user %s", user_id)


def _channel(user: User, volunteer: Volunteer | None) -> tuple[str, str]:
    """("email", address), ("sms", "") or ("", "") when nothing reaches the person."""
    address = user.email or (volunteer.email if volunteer else "")
    if address:
        return "email", address
    if volunteer is not None and notify.normalise_phone(str(volunteer.phone or "")):
        return "sms", ""
    return "", ""


def password_reset_request(*, request, login: str) -> None:
    """Sends each account `login` names an e-mail with a reset link, or its volunteer an
    SMS link, unless that account asked too often this hour; audits each one sent. Says
    nothing about what it found."""
    for user, volunteer in accounts_for(login):
        if _over_limit(f"password-reset:account:{user.pk}", settings.PASSWORD_RESET_LIMIT):
            logger.warning("Password reset: too many requests for user %s", user.pk)
            continue
        channel, address = _channel(user, volunteer)
        if channel == "email":
            _queue_email(user.pk)
        elif channel == "sms":
            _send_sms(user, volunteer)
        else:
            continue
        audit_record(request_or_actor=request, action=AuditAction.PASSWORD_RESET_REQUEST,
                     subject_ref=f"organisations.user:{user.pk}", label=f"user #{user.pk}",
                     organisation=user.organisation_id)


def _password_save(request, form) -> User:
    user = form.save()
    audit_record(request_or_actor=request, action=AuditAction.PASSWORD_RESET,
                 subject_ref=f"organisations.user:{user.pk}", label=f"user #{user.pk}",
                 organisation=user.organisation_id, actor=user)
    return user


def _sms_links_revoke(user: User) -> None:
    # Django's e-mail links stop working once the password changed; the SMS links too.
    with all_organisations():
        volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is not None:
        notify.links_revoke_for(organisation_id=volunteer.organisation_id,
                                recipient_key=reach.key_of(volunteer), purpose=LINK_PURPOSE)


def password_set(*, request, form) -> User:
    """Saves the new password of a valid SetPasswordForm (Django's e-mail link) and audits
    it; the person's open SMS reset links stop working."""
    with transaction.atomic():
        user = _password_save(request, form)
        _sms_links_revoke(user)
    return user


def password_set_by_link(*, request, form, link) -> User:
    """The same through an SMS link, which is spent in the same transaction: both happen,
    or neither (a second click finds the link used)."""
    with transaction.atomic():
        user = link_pages.spend(link, lambda: _password_save(request, form))
        _sms_links_revoke(user)
    return user
