from django.db import transaction

from .models import STAFF_ROLES, Organisation, Role, User


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
