import logging

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import sms_texts  # noqa: F401  (registers the texts notifications sends)

        if settings.SMS_BACKEND.endswith(".messagebird.SmsBackend"):
            logger.warning(
                "SMS_BACKEND is MessageBird's classic REST API (AccessKey), which Bird keeps "
                "only while its classic keys work (its migration guide: through 31 December "
                "2026). Move to notifications.sms.backends.bird.SmsBackend (BIRD_API_KEY, "
                "BIRD_SENDER, BIRD_SIGNING_KEY): docs/reaching-people.md#sms-backends")
