"""What outcomes plugs into the layers below it at start-up (imported once by
OutcomesConfig.ready): the survey link page and SMS replies notifications hands back, the
reminder kinds and SMS texts it declares, and its part of the person pages."""

from django.utils.translation import gettext_lazy

from matching.intake import person_pages
from notifications import hooks

from . import (
    link_views,
    person_sections,
    reminders,  # noqa: F401  (registers the survey reminder kinds)
    replies,
    services,
    sms_texts,  # noqa: F401  (registers the SMS texts of the surveys)
)


def connect() -> None:
    hooks.register_link_view(services.PURPOSE, link_views.survey_link_page,
                             label=gettext_lazy("Answering a few short questions"))
    hooks.register_reply_handler(services.PURPOSE, replies.survey_reply)
    person_pages.register_section("participant", 60, person_sections.participant_section)
    person_pages.register_section("volunteer", 60, person_sections.volunteer_section)
