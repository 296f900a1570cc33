"""The reset e-mail leaves from a worker: thin, takes the account's id. Run twice, it sends
a second link, which does no harm (either works once, for an hour)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="desk.password_reset_email", acks_late=True)
def password_reset_email(user_id: int) -> bool:
    """E-mails a reset link to the account, when it still has an address."""
    try:
        return services.password_reset_email_send(user_id)
    except Exception:  # SMTP and providers fail in many ways; the person can ask again
        logger.exception("The password reset e-mail of user %s failed", user_id)
        return False
