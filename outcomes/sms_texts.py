"""The SMS texts of the surveys (registered at start-up by outcomes.wiring);
tests/notifications/test_sms_texts.py checks each in every language. A question's own words
come as {message} and the answer it wants as {choices}: both are short, so a question with
its answer fits one segment where the organisation's name is not long."""

from django.utils.translation import gettext_lazy as _

from notifications import keywords
from notifications.texts import SmsText, register

FIRST = "outcomes.first_question"
NEXT = "outcomes.next_question"
REMINDER = "outcomes.reminder"
EXPECTED = "outcomes.expected"
THANKS = "outcomes.thanks"
STOPPED = "outcomes.stopped"
LINK = "outcomes.link"

QUESTION = {"message": "How often do you feel alone?",
            "choices": "1 never, 2 sometimes, 3 often, 4 always"}

register(SmsText(
    kind=FIRST, segments=2, sample=QUESTION, accepts=(keywords.STOP,),
    text=_("{organisation}: {first_name}, {count} short questions, answer by SMS. "
           "{message} {choices} No questions: {reply_stop}. Info {coordinator_phone}"),
    description="The first question of a survey (the others follow each answer).",
))
register(SmsText(
    kind=NEXT, sample=QUESTION, daily_limit=False,
    text=_("{organisation}: {message} {choices} Info {coordinator_phone}"),
    description="The next question of a survey, after an answer.",
))
register(SmsText(
    kind=REMINDER, segments=2, sample=QUESTION, accepts=(keywords.STOP,),
    text=_("{organisation}: {first_name}, we would like to hear from you. {message} "
           "{choices} No questions: {reply_stop}. Info {coordinator_phone}"),
    description="The one reminder of a survey without an answer.",
))
register(SmsText(
    kind=EXPECTED, sample=QUESTION, daily_limit=False,
    text=_("{organisation}: sorry, we did not get that. Answer: {choices} "
           "Info {coordinator_phone}"),
    description="A reply that was no answer: what the question expects (once).",
))
register(SmsText(
    kind=THANKS, daily_limit=False,
    text=_("{organisation}: thank you for your answers! Info {coordinator_phone}"),
    description="The last answer of a survey came in.",
))
register(SmsText(
    kind=STOPPED, daily_limit=False, immediate=True, accepts=(keywords.STOP,),
    text=_("{organisation}: you get no more questions. Other messages go on; "
           "{reply_stop} again for no SMS at all. Info {coordinator_phone}"),
    description="STOP to a survey question: the surveys stop, nothing else.",
))
register(SmsText(
    kind=LINK,
    text=_("{organisation}: {first_name}, a few short questions for you: {link} "
           "Info {coordinator_phone}"),
    description="The survey as a page, for people reached by e-mail.",
))
