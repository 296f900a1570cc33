import pytest

from notifications import keywords


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # yes
        ("JA", "yes"), ("ja", "yes"), ("  Ja! ", "yes"), ("ja graag", "yes"), ("Jawel", "yes"),
        ("YES", "yes"), ("yes.", "yes"), ("OUI", "yes"), ("oui merci", "yes"), ("Ok", "yes"),
        # no
        ("NEE", "no"), ("nee, dank je", "no"), ("Neen", "no"), ("NO", "no"), ("no!", "no"),
        ("NON", "no"), ("non.", "no"),
        # maybe
        ("misschien", "maybe"), ("Maybe", "maybe"), ("peut-être", "maybe"),
        ("PEUT ETRE", "maybe"),
        # none of these, call me
        ("geen", "none"), ("geen enkele", "none"), ("NONE", "none"), ("aucun", "none"),
        ("bel mij", "call"), ("CALL me", "call"), ("appelez-moi", "call"),
        # stop, help
        ("STOP", "stop"), ("stop", "stop"), (" Stop. ", "stop"), ("stoppen", "stop"),
        ("arrêt", "stop"), ("ARRETER", "stop"),
        ("HELP", "help"), ("help?", "help"), ("HULP", "help"), ("hulp aub", "help"),
        ("AIDE", "help"), ("aide", "help"),
        # not understood
        ("", None), ("   ", None), ("ik weet het niet", None), ("😀", None), ("jaaa", None),
    ],
)
def test_keywords_in_dutch_french_and_english_forgive_case_spaces_and_punctuation(text, kind):
    assert keywords.parse(text).kind == kind


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), ("2", 2), (" 3 ", 3), ("3.", 3), ("#2", 2), ("nr 2", 2), ("Nr. 2", 2),
     ("keuze 1", 1), ("choix 3", 3), ("no 2", 2), ("12", 12)],
)
def test_digits_are_choices(text, number):
    parsed = keywords.parse(text)
    assert (parsed.kind, parsed.number) == ("choice", number)


def test_a_number_inside_a_sentence_is_not_a_choice():
    assert keywords.parse("ik wil 2 of 3").kind is None
