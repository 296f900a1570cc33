"""The one mechanism that scopes data to an organisation.

Every model that holds an organisation's data uses `OrganisationManager` (django-scopes,
the library pretix built for this). Its queries raise `ScopeError` unless a scope is
active, so a forgotten filter fails loudly instead of leaking. Requests get their scope
from `OrganisationScopeMiddleware`; tasks and commands open one with
`organisation_scope(...)` or, for jobs that span organisations, `all_organisations()`.
"""

from contextlib import contextmanager

from django_scopes import ScopedManager
from django_scopes.exceptions import ScopeError
from django_scopes.state import state

# An organisation id that never exists: a user without organisation sees nothing.
NO_ORGANISATION = 0

__all__ = [
    "NO_ORGANISATION",
    "OrganisationManager",
    "ScopeError",
    "all_organisations",
    "no_organisation",
    "organisation_scope",
]


def OrganisationManager(path: str = "organisation", manager_class=None):  # noqa: N802
    """A manager whose queries are filtered on `path` by the active organisation scope."""
    if manager_class is None:
        manager = ScopedManager(organisation=path)
    else:
        manager = ScopedManager(manager_class, organisation=path)
    # The manager class is made on the fly and cannot be written into a migration.
    manager.use_in_migrations = False
    return manager


@contextmanager
def _scope_state(value: dict):
    # A fresh state, not merged with an outer one: an inner scope never inherits a wider one.
    token = state.set(value)
    try:
        yield
    finally:
        state.reset(token)


def organisation_scope(organisation):
    """Run the block as one organisation: scoped queries see only its data."""
    organisation_id = getattr(organisation, "pk", organisation)
    if organisation_id is None:
        organisation_id = NO_ORGANISATION
    return _scope_state({"_enabled": True, "organisation": organisation_id})


def no_organisation():
    """Run the block as nobody: every scoped query raises (anonymous requests)."""
    return _scope_state({"_enabled": True})


def all_organisations():
    """Run the block across organisations (superusers, periodic jobs, management commands)."""
    return _scope_state({"_enabled": False})
