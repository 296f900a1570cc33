"""One source for reply words: every registered question, in every language, asks for the
words that the reply reader understands, and the page says the same words as the SMS."""

import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from matching.proposals import services as proposal_services
from matching.proposals import sms_texts as proposal_texts
from matching.proposals import views as proposal_views
from notifications import keywords, texts
from tests.factories_proposals import CandidateFactory, ProposalFactory

LANGUAGES = [code for code, _name in settings.LANGUAGES]
QUESTIONS = sorted(kind for kind, text in texts.REGISTRY.items() if text.accepts)
EVERY_REPLY_WORD = set(keywords._WORD_TO_KEYWORD)


def test_the_questions_that_ask_for_words_are_registered():
    assert {"matching.proposal", "matching.proposal_reminder", "reminders.keep_in_touch",
            "duos.agreement_participant", "coaching.invitation",
            "notifications.help"} <= set(QUESTIONS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", QUESTIONS)
def test_every_question_asks_for_words_the_reply_reader_understands(kind, language):
    registered = texts.get(kind)
    text = texts.standard_text(kind, language)
    rendered = texts.render(text, registered.sample_context(language))
    for answer in registered.accepts:
        assert f"{{reply_{answer}}}" in text, (kind, language, answer)
        word = keywords.reply_word(answer, language)
        assert word in rendered
        assert keywords.parse(word).kind == answer, (word, answer)
        assert keywords.parse(word.lower() + ".").kind == answer


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(texts.REGISTRY))
def test_no_text_writes_a_reply_word_by_hand(kind, language):
    """A word such as YES or GEEN typed into a text could disagree with the reply reader or
    with the page; only the {reply_…} placeholders may bring them."""
    text = texts.PLACEHOLDER.sub(" ", texts.standard_text(kind, language))
    shouting = {w for w in re.findall(r"\b[A-ZÀ-Ý-]{2,}\b", text)}
    assert not {keywords.normalise(w) for w in shouting} & EVERY_REPLY_WORD, (kind, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_its_own_word_for_every_answer(language):
    words = keywords.reply_words(language)
    assert len(set(words.values())) == len(words)  # no word means two answers
    for kind in keywords.REPLY_WORDS:
        assert keywords.parse(keywords.reply_word(kind, language)).kind == kind


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_participants_page_and_the_sms_name_the_same_words(organisation, language):
    proposal = ProposalFactory(organisation=organisation)
    CandidateFactory(proposal=proposal, status="offered")
    sms = texts.render(texts.standard_text(proposal_texts.PROPOSAL, language),
                       texts.get(proposal_texts.PROPOSAL).sample_context(language))
    request = RequestFactory().get("/s/token")
    with translation.override(language):
        page = proposal_views._participant_page(request, proposal).content.decode()
        with pytest.raises(Exception) as refused:
            proposal_services.handle_proposal_reply(proposal, "hmm?")
    for answer in (keywords.NONE, keywords.CALL):
        word = keywords.reply_word(answer, language)
        assert word in sms and word in page and word in str(refused.value)
