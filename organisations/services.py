from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.utils.translation import gettext

from .models import STAFF_ROLES, APIToken, AuditAction, AuditEvent, Organisation, Role, User


@transaction.atomic
def organisation_create(*, name: str, slug: str, **fields) -> Organisation:
    """Creates an organisation (a buddy project)."""
    organisation = Organisation(name=name, slug=slug, **fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def user_create(
    *, organisation: Organisation, username: str, role: str, password: str | None = None,
    **fields,
) -> User:
    """Creates an account of one organisation; staff roles may use the scoped admin."""
    user = User(
        organisation=organisation, username=username, role=role,
        is_staff=role in STAFF_ROLES, **fields,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Changes a user's role; the admin site follows the role."""
    if role not in Role.values:
        raise ValueError(role)
    user.role = role
    user.is_staff = role in STAFF_ROLES
    user.save(update_fields=["role", "is_staff"])
    return user


@transaction.atomic
def api_token_create(
    *, user: User, name: str, request_or_actor, actor: User | None = None,
) -> tuple[APIToken, str]:
    """Makes a named API token that acts as `user` in their organisation, until it expires
    (API_TOKEN_DAYS) or is revoked; returns it with the token itself, which is stored only
    hashed and so can be shown only now. Audited."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [gettext("Give the token a name.")]})
    if APIToken.objects.filter(user=user, name=name).exists():
        raise ValidationError({"name": [gettext(
            "You already have a token with this name: revoke it first, or choose another name."
        )]})
    token, plain = APIToken.objects.create(user=user, name=name,
                                           organisation_id=user.organisation_id)
    audit_record(request_or_actor=request_or_actor, action=AuditAction.CREATE,
                 subject_ref=token, label=f"apitoken #{token.pk}",
                 organisation=token.organisation_id, actor=actor)
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: APIToken, request_or_actor, actor: User | None = None) -> None:
    """Revokes an API token: it is deleted and refused from the next request on. Audited."""
    token_id, organisation_id = token.pk, token.organisation_id
    APIToken.objects.filter(pk=token_id).delete()
    audit_record(request_or_actor=request_or_actor, action=AuditAction.DELETE,
                 subject_ref=f"organisations.apitoken:{token_id}", label=f"apitoken #{token_id}",
                 organisation=organisation_id, actor=actor)


@transaction.atomic
def api_token_login(*, user: User, name: str, request) -> tuple[APIToken, str]:
    """A token for `user` who logged in with their password (and code) at the token endpoint:
    a new one replaces the user's earlier token of the same name. Audited as a login."""
    for earlier in APIToken.objects.filter(user=user, name=name.strip()):
        api_token_revoke(token=earlier, request_or_actor=request, actor=user)
    token, plain = api_token_create(user=user, name=name, request_or_actor=request, actor=user)
    audit_record(request_or_actor=request, actor=user, action=AuditAction.LOGIN_SUCCESS,
                 subject_ref=f"organisations.user:{user.pk}", label=gettext("API token"))
    return token, plain


def audit_subject_ref(obj) -> str:
    """The reference of a model instance in the audit log, e.g. "matching.participant:12"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def audit_record(
    *, request_or_actor, action: str, subject_ref="", label: str = "", organisation=None,
    actor=None,
) -> AuditEvent:
    """Appends one event to the audit log: who (and from where), what, about whom.

    `request_or_actor` is the request (its user, IP address and browser are recorded) or a
    user (a task or command acting for them). `subject_ref` is a string such as
    "matching.participant:12", or the model instance itself. `label` says what it is in a
    few words and must hold nothing sensitive: "participant Anna D.", never notes. The
    organisation defaults to the actor's. `actor` names the user when the request's user
    is not (yet) them, as at login. The event is part of the caller's transaction, so
    a change that rolls back leaves no event claiming it happened.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    request = request_or_actor if hasattr(request_or_actor, "META") else None
    if actor is None:
        actor = getattr(request, "user", None) if request is not None else request_or_actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and actor is not None:
        organisation = actor.organisation_id
    if subject_ref and not isinstance(subject_ref, str):
        subject_ref = audit_subject_ref(subject_ref)
    event = AuditEvent(
        organisation_id=getattr(organisation, "pk", organisation),
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        action=action,
        subject_ref=subject_ref[:100],
        label=label[:200],
        ip_address=_client_ip(request),
        user_agent=_clean(request.META.get("HTTP_USER_AGENT", ""))[:300] if request else "",
    )
    # save(), not objects.create(): the log is written also where no scope is open
    # (a failed login), and the base manager is not scoped.
    event.save(force_insert=True)
    return event


def _client_ip(request) -> str | None:
    """The address the request came from, as the web server saw it (REMOTE_ADDR).

    Behind the TLS proxy of production that is the proxy unless it passes the client's
    address on (gunicorn's --forwarded-allow-ips with X-Forwarded-For is not trusted here).
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def _clean(text: str) -> str:
    """A header as printable text: no NUL or control characters reach the database."""
    return "".join(ch for ch in text if ch.isprintable())
