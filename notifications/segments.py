"""How many SMS segments a text takes: GSM-7 when every character is in the GSM 03.38
alphabet, UCS-2 otherwise (one "ê", "ç" or a non-Latin letter drops the limit from 160 to 70).

Written here because no well-kept Python library does just this; the tables are the
standard's and the rules are those every provider bills by (Twilio, MessageBird):

- GSM-7: 160 septets in one segment, 153 per segment when split; the extension characters
  (€ [ ] { } ~ ^ \\ | and form feed) take two septets and are never split in two.
- UCS-2: 70 UTF-16 code units in one segment, 67 when split; a character outside the Basic
  Multilingual Plane (most emoji) takes two and is never split in two.
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7, UCS2 = "GSM-7", "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    encoding: str
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_sizes(text: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def count_segments(text: str) -> SegmentCount:
    encoding = GSM7 if is_gsm7(text) else UCS2
    sizes = _unit_sizes(text, encoding)
    single, multi = LIMITS[encoding]
    total = sum(sizes)
    if total <= single:
        return SegmentCount(encoding, total, 1 if total else 0)
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:  # a two-unit character starts the next segment whole
            segments, used = segments + 1, 0
        used += size
    return SegmentCount(encoding, total, segments)
