"""The reader's language, shared by every room."""

from django.utils.translation import get_language


def reader_language() -> str:
    """The two-letter code of the language the current request or message is in (Dutch
    when none is active)."""
    return (get_language() or "nl")[:2]


def in_reader_language(obj, field: str) -> str:
    """`obj`'s `<field>_nl` / `_fr` / `_en` in the reader's language, the Dutch one when
    that is empty (labels an organisation writes in three languages)."""
    return getattr(obj, f"{field}_{reader_language()}", "") or getattr(obj, f"{field}_nl")
