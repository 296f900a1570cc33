"""The reader's language (buddy/i18n.py): what every room reads its labels with."""

from types import SimpleNamespace

from django.utils import translation

from buddy.i18n import in_reader_language, reader_language


def test_a_label_is_read_in_the_readers_language_and_in_dutch_when_that_one_is_empty():
    walking = SimpleNamespace(label_nl="Wandelen", label_fr="Promenade", label_en="")
    with translation.override("fr"):
        assert reader_language() == "fr"
        assert in_reader_language(walking, "label") == "Promenade"
    with translation.override("en-gb"):
        assert reader_language() == "en"
        assert in_reader_language(walking, "label") == "Wandelen"
    with translation.override(None):  # no language active (a worker outside a request)
        assert reader_language() == "nl"
        assert in_reader_language(walking, "label") == "Wandelen"
