"""Every registered SMS text, in every language: within its segment budget, naming the
organisation and the coordinator's number, with no sensitive word nor personal data."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from notifications import texts
from notifications.models import TemplateOverride
from notifications.segments import count_segments

LANGUAGES = [code for code, _name in settings.LANGUAGES]
KINDS = sorted(texts.REGISTRY)


def test_notifications_registers_its_own_texts():
    assert {"notifications.stopped", "notifications.help",
            "notifications.not_understood"} <= set(KINDS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_text_keeps_the_rules_in_every_language(kind, language):
    text = texts.standard_text(kind, language)
    assert texts.problems(kind, text) == [], (kind, language, text)


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_text_is_translated_with_the_same_placeholders(kind, language):
    english = texts.standard_text(kind, "en")
    translated = texts.standard_text(kind, language)
    assert translated != english, f"{kind} has no {language} translation"
    assert set(texts.PLACEHOLDER.findall(translated)) == set(
        texts.PLACEHOLDER.findall(english))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_text_fits_its_declared_segments(kind, language):
    registered = texts.get(kind)
    rendered = texts.render(texts.standard_text(kind, language),
                            registered.sample_context(language))
    assert count_segments(rendered).segments <= registered.segments, rendered


def test_a_text_over_its_budget_is_caught():
    long_text = "{organisation}: " + "word " * 30 + "call {coordinator_phone}."
    assert any("segments" in p for p in texts.problems("notifications.help", long_text))
    # One "ê" turns a 100-character text into two segments of UCS-2.
    accented = "{organisation}: " + "a" * 60 + " fête. Bel {coordinator_phone}."
    assert count_segments(texts.render(accented, texts.SAMPLE_CONTEXT)).segments == 2
    assert any("segments" in p for p in texts.problems("notifications.help", accented))


@pytest.mark.parametrize(
    "text",
    [
        "{organisation}: hulp bij je schulden? Bel {coordinator_phone}.",
        "{organisation}: le CPAS vous appelle. {coordinator_phone}",
        "{organisation}: about your health, call {coordinator_phone}.",
        "{organisation}: armoede is geen schande. {coordinator_phone}",
    ],
)
def test_sensitive_words_are_refused(text):
    assert any("Sensitive" in p for p in texts.problems("notifications.help", text))


def test_the_organisation_and_the_coordinators_number_are_required():
    found = texts.problems("notifications.help", "Your coordinator will call you.")
    assert any("{coordinator_phone}" in p and "{organisation}" in p for p in found)


def test_personal_data_placeholders_are_refused():
    found = texts.problems(
        "notifications.help", "{organisation}: {last_name}, call {coordinator_phone}.")
    assert any("{last_name}" in p for p in found)


def test_rendering_never_reaches_attributes_of_the_values():
    rendered = texts.render("{first_name.__class__} {first_name}", {"first_name": "Els"})
    assert rendered == "{first_name.__class__} Els"


@pytest.mark.django_db
def test_an_override_is_validated_with_the_same_rules(organisation):
    bad = TemplateOverride(organisation=organisation, kind="notifications.help",
                           language="nl", text="{organisation}: help bij schulden.")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "text" in error.value.message_dict
    good = TemplateOverride(
        organisation=organisation, kind="notifications.help", language="nl",
        text="{organisation}: we bellen je snel. Of bel {coordinator_phone}.")
    good.full_clean()
    unknown = TemplateOverride(organisation=organisation, kind="nope", language="nl",
                               text="{organisation} {coordinator_phone}")
    with pytest.raises(ValidationError):
        unknown.full_clean()

