"""Names and places that fit GSM-7: the variable parts of an SMS written with the closest
GSM-7 letters (ï→i, ç→c, ğ→g, ș→s, ł→l), so that one "Aïcha" does not turn a one-segment
SMS into three of UCS-2.

Providers call this "smart encoding" and do it on their side; we do it ourselves, before
the segments are counted, so that the count we store is the count we pay and the person
reads the same text whatever the provider. Only characters outside GSM 03.38 change: é, è,
ü, ö, ñ, ø, å and the others of the alphabet stay as written. A library such as anyascii
would also turn those into plain ASCII, which the alphabet does not need.
"""

import unicodedata

from .segments import GSM7_BASIC, GSM7_EXTENSION, is_gsm7

# Letters that decomposition (NFKD) does not reduce to a base letter of the alphabet.
SPECIAL = {
    "ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
    "Þ": "Th", "œ": "oe", "Œ": "OE", "ŋ": "ng", "ħ": "h", "Ħ": "H", "ŧ": "t", "ſ": "s",
    "ĸ": "k", "ƒ": "f", "ə": "e", "Ə": "E",
    # Punctuation a phone keyboard or a word processor puts in names and addresses.
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
    "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "…": "...", "\u00a0": " ",
    "\u202f": " ", "\u2009": " ", "·": ".", "°": "o",
}


def _letter(ch: str) -> str:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in SPECIAL:
        return SPECIAL[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(part for part in decomposed if not unicodedata.combining(part))
    if base and is_gsm7(base):
        return base
    return ch  # another script (Arabic, Cyrillic...), an emoji: left as written


def to_gsm7(value: str) -> str:
    """`value` with every character outside GSM-7 replaced by its closest GSM-7 letters,
    where there is one (a letter of another script stays as it is)."""
    if is_gsm7(value):
        return value
    return "".join(_letter(ch) for ch in value)


def transliterate_context(context: dict, keep: frozenset = frozenset({"link"})) -> dict:
    """The variable parts of a message (names, places, the organisation) in GSM-7."""
    return {key: value if key in keep or not isinstance(value, str) else to_gsm7(value)
            for key, value in context.items()}
