"""Languages people speak, as coordinators write them: codes, or names in Dutch, French or English.

"Arabisch + NL", "français et anglais", "Tigrinya / Engels" and "nl, fr" all read as lists of
ISO 639 codes. The import and the intake form share this reading; a name nobody knows is
returned as unknown, for the import's resolve step or the form's error.
"""

import re
import unicodedata

from django.conf.locale import LANG_INFO
from django.utils.translation import get_language_info

# Languages people speak that Django has no interface for, but a buddy project meets often.
EXTRA_LANGUAGES = {
    "am", "ber", "bm", "ff", "ha", "ig", "ku", "ln", "ps", "prs", "rw", "so", "sw", "ti",
    "tw", "wo", "yo", "ur", "pa", "hi", "bn", "ta", "zh", "ne", "tl", "sq", "ckb",
}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")

# code: names in Dutch, French and English (Django adds the English and the local name).
NAMES = {
    "nl": ["nederlands", "vlaams", "neerlandais", "flamand", "dutch", "flemish"],
    "fr": ["frans", "francais", "french"],
    "en": ["engels", "anglais", "english"],
    "de": ["duits", "allemand", "german"],
    "ar": ["arabisch", "arabe", "arabic", "marokkaans", "marokkaans arabisch", "darija"],
    "tr": ["turks", "turc", "turkish"],
    "es": ["spaans", "espagnol", "spanish", "castellano"],
    "it": ["italiaans", "italien", "italian"],
    "pt": ["portugees", "portugais", "portuguese"],
    "pl": ["pools", "polonais", "polish"],
    "ru": ["russisch", "russe", "russian"],
    "uk": ["oekraiens", "oekraiens", "ukrainien", "ukrainian"],
    "ro": ["roemeens", "roumain", "romanian"],
    "bg": ["bulgaars", "bulgare", "bulgarian"],
    "sq": ["albanees", "albanais", "albanian"],
    "fa": ["perzisch", "farsi", "persan", "persian"],
    "prs": ["dari"],
    "ps": ["pashto", "pasjtoe", "pachto", "pashtu"],
    "ku": ["koerdisch", "kurde", "kurdish", "kurmanji"],
    "ckb": ["sorani"],
    "so": ["somalisch", "somali"],
    "ti": ["tigrinya", "tigrinja", "tigrigna"],
    "am": ["amhaars", "amharique", "amharic"],
    "ber": ["berbers", "berbere", "berber", "tamazight", "amazigh", "tarifit", "riffijns"],
    "ln": ["lingala"],
    "sw": ["swahili", "kiswahili"],
    "rw": ["kinyarwanda", "rwandees"],
    "ff": ["fula", "peul", "pular", "fulfulde"],
    "wo": ["wolof"],
    "bm": ["bambara"],
    "yo": ["yoruba"],
    "ig": ["igbo"],
    "ha": ["hausa", "haoussa"],
    "zh": ["chinees", "chinois", "chinese", "mandarijn", "mandarin"],
    "hi": ["hindi"],
    "ur": ["urdu", "ourdou"],
    "pa": ["punjabi", "pendjabi"],
    "bn": ["bengaals", "bengali"],
    "ta": ["tamil", "tamoul"],
    "ne": ["nepalees", "nepalais", "nepali"],
    "tl": ["tagalog", "filipijns", "filipino"],
    "vi": ["vietnamees", "vietnamien", "vietnamese"],
    "th": ["thai", "thais"],
    "el": ["grieks", "grec", "greek"],
    "hu": ["hongaars", "hongrois", "hungarian"],
    "cs": ["tsjechisch", "tcheque", "czech"],
    "sk": ["slowaaks", "slovaque", "slovak"],
    "sr": ["servisch", "serbe", "serbian"],
    "hr": ["kroatisch", "croate", "croatian"],
    "bs": ["bosnisch", "bosniaque", "bosnian"],
    "hy": ["armeens", "armenien", "armenian"],
    "ka": ["georgisch", "georgien", "georgian"],
    "az": ["azerbeidzjaans", "azeri", "azerbaijani"],
    "he": ["hebreeuws", "hebreu", "hebrew"],
    "ja": ["japans", "japonais", "japanese"],
    "ko": ["koreaans", "coreen", "korean"],
    "mk": ["macedonisch", "macedonien", "macedonian"],
}

_SEPARATORS = re.compile(r"\s*(?:[,;/|+&]|\s(?:en|et|and|und)\s)\s*", re.IGNORECASE)


def simple(text) -> str:
    """Lower case, without accents, parentheses or punctuation at the ends."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"\([^)]*\)", " ", text.lower())
    return " ".join(re.sub(r"[_.:'\"!?*]+", " ", text).replace("-", " ").split())


def is_known_language(code: str) -> bool:
    return bool(LANGUAGE_CODE.match(code or "")) and (code in LANG_INFO
                                                      or code in EXTRA_LANGUAGES)


def _build_index() -> dict:
    index = {}
    for code, info in LANG_INFO.items():
        if is_known_language(code):
            for name in (info.get("name"), info.get("name_local")):
                if name:
                    index.setdefault(simple(name), code)
    for code, names in NAMES.items():
        for name in names:
            index[simple(name)] = code
    return index


INDEX = _build_index()


def code_for(text) -> str | None:
    """The code of one language written as a code or a name, or None when unknown."""
    word = simple(text)
    if is_known_language(word):
        return word
    return INDEX.get(word)


def split(text) -> list[str]:
    """The parts of a list of languages: "Arabisch + NL" → ["Arabisch", "NL"]."""
    return [part.strip() for part in _SEPARATORS.split((text or "").strip()) if part.strip()]


def read(text) -> tuple[list[str], list[str]]:
    """(codes, unknown parts) of a list of languages, codes in the order written, once."""
    codes, unknown = [], []
    for part in split(text):
        code = code_for(part)
        if code:
            if code not in codes:
                codes.append(code)
        else:
            unknown.append(part)
    return codes, unknown


def name(code: str) -> str:
    """The name of a language in the reader's language when Django knows it."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return NAMES.get(code, [code])[-1].capitalize()


def choices() -> list[tuple[str, str]]:
    """(code, "Name (code)") for every language a person can be said to speak, by name."""
    codes = {c for c in LANG_INFO if is_known_language(c)} | EXTRA_LANGUAGES
    return sorted(((c, f"{name(c)} ({c})") for c in codes), key=lambda item: item[1].lower())
