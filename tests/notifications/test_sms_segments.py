import pytest

from notifications.segments import GSM7, UCS2, count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        # Dutch and the accents GSM-7 has (é è à ù ì ò ä ö ü ñ) stay GSM-7.
        ("Dag Anaïs".replace("ï", "i") + " é è à ü ö ä ñ", GSM7, 23, 1),
        # Characters of the extension table take two septets.
        ("€" * 80, GSM7, 160, 1),
        ("€" * 81, GSM7, 162, 2),
        # One ê, ç, ï or ô (French) makes the whole message UCS-2: 70 per segment.
        ("a" * 69 + "ê", UCS2, 70, 1),
        ("a" * 70 + "ç", UCS2, 71, 2),
        ("Zoë" + "a" * 67, UCS2, 70, 1),
        # Non-Latin scripts.
        ("مرحبا " * 11 + "مرحب", UCS2, 70, 1),
        ("Привет" * 12, UCS2, 72, 2),
        ("你好" * 67, UCS2, 134, 2),
        ("你好" * 68, UCS2, 136, 3),
        # An emoji is two UTF-16 units.
        ("🙂" * 35, UCS2, 70, 1),
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(text, encoding, units, segments):
    counted = count_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_an_extension_character_is_not_split_across_segments():
    # 152 plain septets, then "€" (2 septets) does not fit in 153: it opens segment two,
    # which leaves 151 septets there, not 152 (306 septets, yet three segments).
    assert count_segments("a" * 152 + "€" + "a" * 151).segments == 2
    assert count_segments("a" * 152 + "€" + "a" * 152).segments == 3


def test_an_emoji_is_not_split_across_segments():
    assert count_segments("a" * 66 + "🙂" + "a" * 65).segments == 2
    assert count_segments("a" * 66 + "🙂" + "a" * 66).segments == 3
