"""Thin periodic jobs for the follow-up of duos; each is safe to run twice."""

from celery import shared_task

from organisations.scoping import all_organisations

from . import services


@shared_task
def alerts_scan() -> int:
    """Opens alerts for duos without a meeting for N weeks and for overdue check-ins."""
    with all_organisations():
        return services.alerts_scan()
