"""The words of an SMS reply, in one place: what texts and pages tell people to reply with
(`REPLY_WORDS`, one word per answer and language) and what a reply is read as (`KEYWORDS`,
forgiving of case, spaces, accents and punctuation: "ja!", " Oui.", "nee, dank je", "2",
"nr. 2", "Stop").

Every SMS text asks for its answers with placeholders (`{reply_yes}`, `{reply_none}`, …)
that the renderer fills from `REPLY_WORDS` in the person's language, and every page reads
`reply_words(language)`: the SMS and the page cannot disagree, and each word asked for is
one that `parse` understands (tests/notifications/test_reply_words.py)."""

import re
import unicodedata
from dataclasses import dataclass

YES, NO, MAYBE, NONE, CALL, STOP, HELP, CHOICE = (
    "yes", "no", "maybe", "none", "call", "stop", "help", "choice",
)
# The kinds of answer a question can accept (STOP and HELP are always understood).
ANSWERS = (YES, NO, MAYBE, NONE, CALL)
# What a question may also accept: ANY hands every reply but STOP and HELP to the app that
# asked, which reads it itself (a count, a short text) and answers a bad one with its own
# words; STOP in a question's answers means "stop these questions" (the app stops what it
# asks; the number is not opted out of every SMS).
ANY = "any"

KEYWORDS = {
    # Each word as it is written after upper-casing and removing accents.
    YES: {"JA", "JAWEL", "YES", "OUI", "OK", "OKE", "OKAY"},
    NO: {"NEE", "NEEN", "NO", "NON"},
    MAYBE: {"MISSCHIEN", "MAYBE", "PEUTETRE"},
    NONE: {"GEEN", "GEENENKELE", "NONE", "AUCUN", "AUCUNE"},
    CALL: {"BEL", "BELLEN", "CALL", "APPEL", "APPELER", "APPELEZ"},
    STOP: {"STOP", "STOPPEN", "ARRET", "ARRETER", "UNSUBSCRIBE"},
    HELP: {"HELP", "HULP", "AIDE", "INFO"},
}
# The one word per answer and language that people are told to reply with.
REPLY_WORDS = {
    YES: {"nl": "JA", "fr": "OUI", "en": "YES"},
    NO: {"nl": "NEE", "fr": "NON", "en": "NO"},
    MAYBE: {"nl": "MISSCHIEN", "fr": "PEUT-ETRE", "en": "MAYBE"},
    NONE: {"nl": "GEEN", "fr": "AUCUN", "en": "NONE"},
    CALL: {"nl": "BEL", "fr": "APPEL", "en": "CALL"},
    STOP: {"nl": "STOP", "fr": "STOP", "en": "STOP"},
}
_WORD_TO_KEYWORD = {word: kind for kind, words in KEYWORDS.items() for word in words}
# "2", "nr 2", "nr. 2", "no 2", "#2", "keuze 2", "choix 2", "choice 2"
_CHOICE = re.compile(r"^(?:(?:NR|NUMMER|NO|NUMERO|NUMBER|KEUZE|CHOIX|CHOICE)\s*)?(\d{1,2})$")


@dataclass(frozen=True)
class Parsed:
    kind: str | None  # one of the constants above, or None when not understood
    number: int | None = None

    def __bool__(self):
        return self.kind is not None


def normalise(text: str) -> str:
    """Upper case, accents removed, anything but letters and digits turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    # "peut-être" and "geen enkele" read as one word.
    plain = re.sub(r"PEUT\W*ETRE", "PEUTETRE", plain)
    plain = re.sub(r"GEEN\s+ENKELE", "GEENENKELE", plain)
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", plain).split())


def parse(text: str) -> Parsed:
    """The answer in a reply: its first word decides, or the number it consists of."""
    words = normalise(text)
    if not words:
        return Parsed(None)
    match = _CHOICE.match(words)
    if match:
        return Parsed(CHOICE, int(match.group(1)))
    first = words.split(" ", 1)[0]
    return Parsed(_WORD_TO_KEYWORD.get(first))


def reply_word(kind: str, language: str) -> str:
    """The word to reply with for an answer, in a language (Dutch when not one of ours)."""
    words = REPLY_WORDS[kind]
    return words.get((language or "nl")[:2], words["nl"])


def reply_words(language: str) -> dict[str, str]:
    """{"reply_yes": "JA", "reply_none": "GEEN", …}: the placeholders of texts and pages."""
    return {f"reply_{kind}": reply_word(kind, language) for kind in REPLY_WORDS}


PLACEHOLDERS = frozenset(f"reply_{kind}" for kind in REPLY_WORDS)
