"""Thin periodic jobs for the follow-up of duos; each is safe to run twice."""

from celery import shared_task

from organisations.scoping import all_organisations

from . import services


@shared_task
def alerts_scan() -> int:
    """Opens alerts for duos without a meeting for N weeks and for overdue check-ins."""
    with all_organisations():
        return services.alerts_scan()


@shared_task
def end_questions_send() -> int:
    """Asks the end question to every duo whose agreed end is near (per organisation)."""
    with all_organisations():
        return services.end_questions_send()


@shared_task
def how_is_it_going_questions_send() -> int:
    """Asks participants by SMS how it is going with their buddy, every few weeks."""
    with all_organisations():
        return services.how_is_it_going_questions_send()


@shared_task
def meeting_log_reminders_send() -> int:
    """Reminds volunteers to log their meetings, once per agreed meeting interval."""
    with all_organisations():
        return services.meeting_log_reminders_send()
