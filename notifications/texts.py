"""SMS texts per message kind and language, and the rules every text keeps.

An app registers the kinds it sends (`register`), usually in its `sms_texts.py`, imported
from its AppConfig.ready(). The standard text is translatable (English msgid, Dutch and
French in the message files); an organisation can override it per language
(`TemplateOverride`). Every text, standard or overridden:

- names the organisation and how to reach the coordinator ({organisation} and
  {coordinator_phone});
- holds no personal data beyond first names (only the placeholders below);
- contains none of the sensitive words (poverty, debt, health...);
- fits its declared number of segments with the sample values (tests/notifications/test_sms_texts.py
  checks every registered kind in every language).

Placeholders are `{name}`, filled by a tiny renderer, never by str.format: a text written by
staff must not be able to reach attributes of the values it is given.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import keywords
from .gsm import transliterate_context
from .segments import count_segments, is_gsm7

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
REQUIRED_PLACEHOLDERS = frozenset({"organisation", "coordinator_phone"})
# What a text may contain about people and appointments; any name ending in "first_name"
# is allowed too (a proposal lists the candidates' first names).
ALLOWED_PLACEHOLDERS = frozenset({
    "first_name", "organisation", "coordinator_phone", "link", "date", "time", "weekday",
    "place", "number", "choices", "count", "message",
}) | keywords.PLACEHOLDERS
# Words that must never be in an SMS: a phone screen is read by others too. Compared after
# lower-casing and removing accents, as whole words or word beginnings.
SENSITIVE_WORDS = {
    "nl": ["armoede", "arm", "schuld", "schulden", "gezondheid", "ziek", "ziekte", "psychisch",
           "psychiatr", "depressi", "verslav", "ocmw", "caw", "leefloon", "uitkering",
           "therapie", "dakloos", "kansarm"],
    "fr": ["pauvrete", "pauvre", "dette", "dettes", "sante", "malad", "psychique",
           "psychiatr", "depressi", "addiction", "cpas", "revenu d'integration", "chomage",
           "therapie", "sans-abri", "precarite"],
    "en": ["poverty", "poor", "debt", "health", "ill", "illness", "sick", "mental",
           "psychiatr", "depressi", "addict", "welfare", "benefit", "therapy", "homeless"],
}
# The values the segment budget is checked with: realistic, on the long side. The first
# name is the longest of the common first names the segment test uses
# (tests/notifications/test_sms_names.py), so an organisation's own wording is held to
# the same bar.
SAMPLE_CONTEXT = {
    "first_name": "Marie-Christine",
    "organisation": "Samen Op Weg Gent",
    "coordinator_phone": "09 210 10 10",
    "link": "https://buddy.example.org/s/1nl" + "x" * 22,
    "date": "12/10",
    "time": "19:30",
    "weekday": "woensdag",
    "place": "Sint-Pietersplein 5",
    "number": "3",
    "choices": "1 Jan, 2 Fatima, 3 Pieter",
    "count": "3",
    # A coordinator's own words (a conversation's answer, a group message).
    "message": "Geen probleem, we verzetten de afspraak naar volgende week. Sofie",
}


@dataclass(frozen=True)
class SmsText:
    kind: str
    text: Promise | str
    segments: int = 1
    # Replies to a person's own SMS (HELP, STOP): sent at once, even in quiet hours.
    immediate: bool = False
    # Counted in the person's SMS per day; a coordinator's own answer is not held by it.
    daily_limit: bool = True
    sample: dict = field(default_factory=dict)
    description: str = ""
    # The answers the text asks for by word (keywords.YES, …): the question it asks. Each
    # is written as a {reply_…} placeholder, filled from keywords.REPLY_WORDS.
    accepts: tuple[str, ...] = ()

    def placeholders(self) -> set[str]:
        with translation.override("en"):
            return set(PLACEHOLDER.findall(str(self.text)))

    def sample_context(self, language="nl") -> dict:
        return {**SAMPLE_CONTEXT, **keywords.reply_words(language), **self.sample}


REGISTRY: dict[str, SmsText] = {}


def register(text: SmsText) -> SmsText:
    REGISTRY[text.kind] = text
    return text


def get(kind: str) -> SmsText:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise LookupError(f"No SMS text is registered for {kind!r}") from None


def render(text: str, context: dict) -> str:
    def replace(match):
        name = match.group(1)
        if name not in context:
            raise KeyError(f"The text needs {{{name}}}, which the context does not give")
        return str(context[name])

    return PLACEHOLDER.sub(replace, text)


def render_sms(text: str, context: dict, *, transliterate: bool = True) -> str:
    """The SMS as sent: `text` (its fixed words stay as written) with the context filled
    in; when that needs UCS-2 and writing the variable parts (names, places) in GSM-7
    letters makes the whole SMS GSM-7, the latter (unless `transliterate` is off)."""
    body = render(text, context)
    if transliterate and not is_gsm7(body):
        plain = render(text, transliterate_context(context))
        if is_gsm7(plain):
            return plain
    return body


def standard_text(kind: str, language: str) -> str:
    with translation.override(language):
        return str(get(kind).text)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sensitive_words_in(text: str) -> list[str]:
    plain = _plain(text)
    found = []
    for words in SENSITIVE_WORDS.values():
        for word in words:
            if re.search(rf"(?<![a-z]){re.escape(word)}", plain) and (
                len(word) > 4 or re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", plain)
            ):
                found.append(word)
    return sorted(set(found))


def problems(kind: str, text: str) -> list[str]:
    """Every rule `text` breaks as the wording of `kind`; empty when it may be sent."""
    registered = get(kind)
    errors = []
    used = set(PLACEHOLDER.findall(text))
    missing = REQUIRED_PLACEHOLDERS - used
    if missing:
        errors.append(_("The text must contain %(names)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in sorted(missing))})
    unknown = {
        name for name in used
        if name not in ALLOWED_PLACEHOLDERS and not name.endswith("first_name")
    } | (used - registered.placeholders() - REQUIRED_PLACEHOLDERS)
    if unknown:
        errors.append(_("These placeholders cannot be used here: %(names)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in sorted(unknown))})
    words = sensitive_words_in(text)
    if words:
        errors.append(_("Sensitive words do not belong in an SMS: %(words)s.") % {
            "words": ", ".join(words)})
    if not unknown:
        try:
            rendered = render(text, registered.sample_context(
                translation.get_language() or "nl"))
        except KeyError:
            rendered = None
        if rendered is not None:
            counted = count_segments(rendered).segments
            if counted > registered.segments:
                errors.append(_(
                    "With a long first name this text takes %(counted)s SMS segments; at "
                    "most %(budget)s are allowed. Shorten it, or avoid characters such as "
                    "ê, ç or emoji that make every segment shorter."
                ) % {"counted": counted, "budget": registered.segments})
    return errors


def validate_override(kind: str, language: str, text: str) -> None:
    if kind not in REGISTRY:
        raise ValidationError({"kind": _("There is no message of this kind.")})
    errors = problems(kind, text)
    if errors:
        raise ValidationError({"text": errors})
