"""Every SMS that carries a first name stays within its segment budget in Dutch, French and
English for every common first name of Flanders and Brussels, names outside GSM-7
included: the variable parts are written in GSM-7 letters before UCS-2 is chosen."""

from pathlib import Path

import pytest

from notifications import services, texts
from notifications.gsm import to_gsm7
from notifications.models import Message, MessagingSettings
from notifications.segments import GSM7, UCS2, count_segments, is_gsm7
from tests.notifications_helpers import QUESTION, recipient

NAMES_FILE = Path(__file__).parent / "data" / "first_names_flanders_brussels.txt"
NAMES = [line.strip() for line in NAMES_FILE.read_text().splitlines()
         if line.strip() and not line.startswith("#")]
LANGUAGES = ["nl", "fr", "en"]
KINDS_WITH_A_NAME = sorted(
    kind for kind, registered in texts.REGISTRY.items()
    if any(name.endswith("first_name") for name in registered.placeholders()))


def _render_all(language, transliterate=True):
    """(kind, name, segments, encoding) of every kind with a name, for every name."""
    rows = []
    for kind in KINDS_WITH_A_NAME:
        registered = texts.get(kind)
        text = texts.standard_text(kind, language)
        names = [p for p in registered.placeholders() if p.endswith("first_name")]
        for name in NAMES:
            context = {**registered.sample_context(), **dict.fromkeys(names, name)}
            counted = count_segments(texts.render_sms(text, context,
                                                      transliterate=transliterate))
            rows.append((kind, name, counted.segments, counted.encoding))
    return rows


def test_the_list_holds_over_200_common_names_of_every_origin():
    assert len(NAMES) == len(set(NAMES)) >= 200
    outside = [name for name in NAMES if not is_gsm7(name)]
    assert len(outside) >= 50, outside
    for name in ["Aïcha", "Çağla", "Ayşe", "Łukasz", "Małgorzata", "Ștefan", "Răzvan",
                 "Tiziri", "Massinissa", "Zoë", "Françoise", "Marie-Christine"]:
        assert name in NAMES


def test_participant_kinds_are_among_those_checked():
    assert {"reminders.keep_in_touch", "matching.proposal", "matching.choice_received",
            "duos.how_is_it_going", "duos.end_question", "duos.agreement_participant",
            "matching.introduction_meeting"} <= set(KINDS_WITH_A_NAME)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sms_with_a_name_fits_its_budget_for_every_common_first_name(language):
    over = [(kind, name, segments, encoding)
            for kind, name, segments, encoding in _render_all(language)
            if segments > texts.get(kind).segments]
    assert over == []


def test_without_gsm_letters_many_names_break_the_budget():
    """What the transliteration saves: without it, a name such as Aïcha turns most texts
    into UCS-2 over their budget (the test above could fail)."""
    over = {(kind, language) for language in LANGUAGES
            for kind, _name, segments, _encoding in _render_all(language, transliterate=False)
            if segments > texts.get(kind).segments}
    assert len(over) > len(KINDS_WITH_A_NAME)


def test_the_budget_of_own_wordings_is_checked_with_the_longest_common_name():
    longest = max(NAMES, key=lambda name: len(to_gsm7(name)))
    assert len(texts.SAMPLE_CONTEXT["first_name"]) >= len(to_gsm7(longest))


@pytest.mark.parametrize(("written", "sent"), [
    ("Aïcha", "Aicha"), ("Çağla", "Çagla"), ("çiğdem", "cigdem"), ("Ayşe", "Ayse"),
    ("Şeyma", "Seyma"),
    ("İbrahim", "Ibrahim"), ("Łukasz", "Lukasz"), ("Małgorzata", "Malgorzata"),
    ("Jędrzej", "Jedrzej"), ("Ștefan", "Stefan"), ("Ştefan", "Stefan"), ("Ionuț", "Ionut"),
    ("Răzvan", "Razvan"), ("Zoë", "Zoe"), ("Françoise", "Francoise"), ("Benoît", "Benoit"),
    ("Grâce", "Grace"), ("Conceição", "Conceicao"), ("Thảo", "Thao"),
    # Letters of the GSM-7 alphabet stay as written.
    ("Chloé", "Chloé"), ("Hüseyin", "Hüseyin"), ("Özlem", "Özlem"), ("Inès", "Inès"),
    ("Rue de l’Hôtel 3", "Rue de l'Hotel 3"),
])
def test_letters_outside_gsm7_get_their_closest_gsm7_letter(written, sent):
    assert to_gsm7(written) == sent
    assert is_gsm7(to_gsm7(written))


def test_another_script_is_left_as_written():
    assert to_gsm7("عائشة") == "عائشة"


def test_the_fixed_words_stay_as_written_and_the_name_too_when_gsm7_cannot_be_reached():
    text = "{organisation}: bonne fête {first_name}! {coordinator_phone}"
    context = {"organisation": "Duo", "coordinator_phone": "02 1", "first_name": "Aïcha"}
    assert texts.render_sms(text, context) == "Duo: bonne fête Aïcha! 02 1"
    plain = "{organisation}: dag {first_name}! {coordinator_phone}"
    assert texts.render_sms(plain, context) == "Duo: dag Aicha! 02 1"


@pytest.mark.django_db
def test_an_sms_to_aicha_is_one_gsm7_segment(organisation, sms_texts, on_commit):
    with on_commit():
        message = services.sms_send(
            recipient=recipient(organisation, first_name="Aïcha"), template=QUESTION,
            idempotency_key="q-1")
    message.refresh_from_db()
    assert "hi Aicha," in message.body
    assert (message.encoding, message.segments) == (GSM7, 1)
    assert message.first_name == "Aïcha"  # the log keeps the name as written


@pytest.mark.django_db
def test_an_organisation_can_keep_names_as_written(organisation, sms_texts, on_commit):
    MessagingSettings.objects.create(organisation=organisation, gsm_names=False)
    with on_commit():
        services.sms_send(recipient=recipient(organisation, first_name="Aïcha"),
                          template=QUESTION, idempotency_key="q-1")
    message = Message.objects.get(idempotency_key="q-1")
    assert "hi Aïcha," in message.body
    assert (message.encoding, message.segments) == (UCS2, 2)
