"""Weekly availability as a 21-bit integer: bit `day * 3 + part`.

Monday = 0 … Sunday = 6; morning = 0, afternoon = 1, evening = 2. Two people share a
moment when `a & b` is not zero; the matching engine relies on this layout.
"""

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
