"""Weekly availability as a 21-bit integer: bit `day * 3 + part`.

Monday = 0 … Sunday = 6; morning = 0, afternoon = 1, evening = 2. Two people share a
moment when `a & b` is not zero; the matching engine relies on this layout.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

DAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
        _("Saturday"), _("Sunday")]
PARTS = [_("morning"), _("afternoon"), _("evening")]
FULL_WEEK = (1 << 21) - 1


def bit(day: int, part: int) -> int:
    """The bit of one moment of the week."""
    if not (0 <= day < 7 and 0 <= part < 3):
        raise ValueError((day, part))
    return 1 << (day * 3 + part)


def to_mask(slots) -> int:
    """A mask from (day, part) pairs."""
    mask = 0
    for day, part in slots:
        mask |= bit(day, part)
    return mask


def to_slots(mask: int) -> list[tuple[int, int]]:
    """The (day, part) pairs of a mask, Monday morning first."""
    return [(i // 3, i % 3) for i in range(21) if mask >> i & 1]


def describe(mask: int) -> str:
    return ", ".join(f"{DAYS[d]} {PARTS[p]}" for d, p in to_slots(mask))


# Reading availability as coordinators write it in a spreadsheet, in Dutch, French or English:
# "do vm, 's avonds, za vm", "ma nm, wo vm", "weekend", "elke dag", "lundi matin",
# "ma-vr avond", "za en zo vm". Chunks are separated by commas or semicolons; in a chunk the
# days gather until a part of the day closes them ("za en zo vm": both mornings). A chunk
# with days only means the whole day; with parts only, every day.
ALL_DAYS = frozenset(range(7))
ALL_PARTS = frozenset(range(3))
_DAY_WORDS = [
    ["ma", "maa", "maan", "maandag", "maandagen", "maandags", "lu", "lun", "lundi", "lundis",
     "mo", "mon", "monday", "mondays"],
    ["di", "din", "dins", "dinsdag", "dinsdagen", "dinsdags", "mar", "mardi", "mardis",
     "tu", "tue", "tues", "tuesday", "tuesdays"],
    ["wo", "woe", "woen", "woensdag", "woensdagen", "woensdags", "me", "mer", "mercredi",
     "mercredis", "we", "wed", "wednesday", "wednesdays"],
    ["do", "don", "dond", "donderdag", "donderdagen", "donderdags", "je", "jeu", "jeudi",
     "jeudis", "th", "thu", "thur", "thurs", "thursday", "thursdays"],
    ["vr", "vrij", "vrijdag", "vrijdagen", "vrijdags", "ve", "ven", "vendredi", "vendredis",
     "fr", "fri", "friday", "fridays"],
    ["za", "zat", "zaterdag", "zaterdagen", "zaterdags", "sa", "sam", "samedi", "samedis",
     "sat", "saturday", "saturdays"],
    ["zo", "zon", "zondag", "zondagen", "zondags", "dim", "dimanche", "dimanches",
     "su", "sun", "sunday", "sundays"],
]
_PART_WORDS = [
    ["vm", "voormiddag", "voormiddagen", "ochtend", "ochtenden", "ochtends", "morgen",
     "morgens", "matin", "matins", "matinee", "am", "morning", "mornings"],
    ["nm", "namiddag", "namiddagen", "middag", "middagen", "middags", "apresmidi", "aprem",
     "pm", "afternoon", "afternoons"],
    ["av", "avond", "avonden", "avonds", "savonds", "soir", "soirs", "soiree", "soirees",
     "evening", "evenings", "night", "nights", "nacht"],
]
_GROUPS = {
    "weekend": (frozenset({5, 6}), frozenset()),
    "weekends": (frozenset({5, 6}), frozenset()),
    "weekdagen": (frozenset(range(5)), frozenset()),
    "weekdays": (frozenset(range(5)), frozenset()),
    "semaine": (frozenset(range(5)), frozenset()),
    "@everyday": (ALL_DAYS, frozenset()),
    "@allday": (frozenset(), ALL_PARTS),
    "altijd": (ALL_DAYS, ALL_PARTS),
    "toujours": (ALL_DAYS, ALL_PARTS),
    "always": (ALL_DAYS, ALL_PARTS),
    "anytime": (ALL_DAYS, ALL_PARTS),
    "flexibel": (ALL_DAYS, ALL_PARTS),
    "flexible": (ALL_DAYS, ALL_PARTS),
}
_PHRASES = [  # several words that mean one thing, replaced before the words are read
    (r"\b(?:elke|iedere|alle) dag(?:en)?\b|\bdagelijks\b|\btous les jours\b|\bchaque jour\b"
     r"|\bevery ?day\b|\bdaily\b|\bde hele week\b|\bhele week\b|\btoute la semaine\b"
     r"|\ball week\b", " @everyday "),
    (r"\b(?:de )?(?:hele|volledige|ganse) dag\b|\btoute la journee\b|\bla journee\b"
     r"|\ball day\b|\bfull day\b|\bwhole day\b", " @allday "),
    (r"\bweek[ -]?end(s?)\b", r" weekend\1 "),
    (r"\bin de week\b|\bweekdagen\b|\bweek days\b|\ben semaine\b|\bdurant la semaine\b",
     " weekdagen "),
    (r"\bapres[ -]?midis?\b", " apresmidi "),
    (r"\bt ?/ ?m\b|\btot en met\b|\btot\b|\bjusqu ?au\b|\bthrough\b|\btill\b|\buntil\b",
     " - "),
]
_FILLERS = {"s", "de", "het", "le", "la", "les", "l", "the", "in", "on", "op", "en", "et",
            "and", "of", "ou", "or", "van", "vanaf", "des", "du", "a", "au", "aux",
            "elke", "iedere", "alle", "tous", "chaque", "every", "each", "ook", "aussi",
            "also", "liefst", "na", "voor", "tussen", "after", "before", "between", "apres",
            "avant", "entre", "vers", "rond", "around", "bij",
            "voorkeur", "enkel", "alleen", "seulement", "only"}
_NOTHING = {"", "?", "-", "nvt", "n v t", "na", "n a", "onbekend", "weet niet", "inconnu",
            "unknown", "geen", "aucune", "none", "niet gekend", "later"}
_HOUR = re.compile(r"^([01]?[0-9]|2[0-3])(?:u|h|uur|am|pm)?(?:[0-5][0-9])?$")
_DAY_INDEX = {word.rstrip("."): day for day, words in enumerate(_DAY_WORDS) for word in words}
_PART_INDEX = {word: part for part, words in enumerate(_PART_WORDS) for word in words}


class UnreadableAvailability(ValueError):
    """A part of an availability text that is no day and no part of the day."""

    def __init__(self, part):
        super().__init__(part)
        self.part = part


def _plain(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = text.lower().replace("\u2019", "'").replace("'", " ")
    return " ".join(text.split())


def _read_chunk(chunk: str, original: str) -> int:
    for pattern, replacement in _PHRASES:
        chunk = re.sub(pattern, replacement, chunk)
    tokens = re.findall(r"[@a-z0-9]+|-", chunk)
    mask, days, parts, previous_day = 0, set(), set(), None

    def close():
        nonlocal mask
        if days or parts:
            for day in days or ALL_DAYS:
                for part in parts or ALL_PARTS:
                    mask |= bit(day, part)

    pending_range = hour_range = False  # after "ma-" or after "9u-"
    previous = None
    for token in tokens:
        if token == "-":
            pending_range = previous_day is not None
            hour_range = previous is not None and bool(_HOUR.match(previous))
            previous = token
            continue
        previous = token
        if token in _DAY_INDEX or token in _GROUPS and _GROUPS[token][0]:
            new_days = ({_DAY_INDEX[token]} if token in _DAY_INDEX else set(_GROUPS[token][0]))
            if pending_range and token in _DAY_INDEX:
                end = _DAY_INDEX[token]
                new_days = {(previous_day + step) % 7
                            for step in range((end - previous_day) % 7 + 1)}
            if parts and days:
                close()
                days, parts = set(), set()
            days |= new_days
            parts |= set(_GROUPS[token][1] if token in _GROUPS else ())
            previous_day = _DAY_INDEX.get(token)
        elif _HOUR.match(token):
            hour = int(_HOUR.match(token).group(1))
            hour += 12 if token.endswith("pm") and hour < 12 else 0
            if hour_range:  # the end of "9u-12u" is not in it
                hour = max(hour - 1, 0)
            parts.add(0 if hour < 12 else 1 if hour < 17 else 2)
            previous_day = None
        elif token in _PART_INDEX or token in _GROUPS:
            parts |= {_PART_INDEX[token]} if token in _PART_INDEX else set(_GROUPS[token][1])
            previous_day = None
        elif token not in _FILLERS:
            raise UnreadableAvailability(_unreadable_part(original, token))
        pending_range = hour_range = False
    close()
    return mask


def _unreadable_part(original: str, token: str) -> str:
    """The words of the original text around an unreadable token, as the person wrote them."""
    for word in re.split(r"[\s,;/|+&]+", original):
        if token.lstrip("@") in _plain(word).replace(" ", ""):
            return word.strip(" .'")
    return token.lstrip("@")


def parse_phrase(text: str) -> int:
    """The mask of an availability text; raises UnreadableAvailability naming the part."""
    plain = _plain(text)
    if plain in _NOTHING:
        return 0
    mask = 0
    for chunk in re.split(r"[,;|\n]+", plain):
        if chunk.strip() and chunk.strip() not in _NOTHING:
            mask |= _read_chunk(chunk, text)
    return mask
