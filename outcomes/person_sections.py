"""What outcomes adds to the person pages (registered in outcomes/wiring.py): the person's
surveys and their answers, for staff (the person pages are staff pages)."""

from django.urls import reverse

from buddy.i18n import reader_language
from matching.intake.person_pages import Section

from . import selectors


def _section(person, role, request):
    key = f"{role}:{person.pk}"
    language = reader_language()
    surveys = selectors.person_surveys(key)
    for survey in surveys:
        survey.title = survey.questionnaire.title(language)
    return Section("outcomes/_person_section.html", {
        "surveys": surveys,
        "stopped": selectors.is_stopped(person.organisation_id, key),
        "stop_url": reverse("outcomes:stop", args=[role, person.pk]),
        "intake_url": (reverse("outcomes:intake", args=[person.pk])
                       if role == "participant" else ""),
    })


def participant_section(participant, request):
    return _section(participant, "participant", request)


def volunteer_section(volunteer, request):
    return _section(volunteer, "volunteer", request)
