"""The questionnaires this product ships, written for it in plain language (B1), in the
message files like every text (Dutch and French translated there). An organisation gets its
own copy (`services.questionnaires_install`), which it may change in the admin; a validated
scale is entered by the organisation itself, under its licence: none is shipped here.

Each question is short enough that, with its answer words, it fits one SMS segment.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import AnswerType, Audience


@dataclass(frozen=True)
class DefaultQuestion:
    measure: str
    answer_type: str
    text: object
    words: object = ""
    scale_max: int | None = None
    higher_is_better: bool = True


@dataclass(frozen=True)
class DefaultQuestionnaire:
    key: str
    audience: str
    title: object
    questions: tuple[DefaultQuestion, ...]


PARTICIPANT = "participant"
VOLUNTEER = "volunteer"
AFTER_END = "after_end"

# Measures the outcome report and "what makes a duo last" know by name.
PEOPLE_TO_COUNT_ON = "people_to_count_on"
FEEL_ALONE = "feel_alone"
DID_SOMETHING = "did_something_with_someone"
SOMEONE_TO_TALK_TO = "someone_to_talk_to"
DUO_GOING = "duo_going"
NEEDS_SUPPORT = "needs_support"
WOULD_DO_AGAIN = "would_do_again"
TELL_US = "tell_us"
STILL_IN_CONTACT = "still_in_contact"

# Questions about the duo are not asked at intake, before there is one.
ABOUT_THE_DUO = {DUO_GOING}

QUESTIONNAIRES = (
    DefaultQuestionnaire(PARTICIPANT, Audience.PARTICIPANT, _("Your network"), (
        DefaultQuestion(PEOPLE_TO_COUNT_ON, AnswerType.COUNT,
                        _("How many people can you count on when you need help?")),
        DefaultQuestion(FEEL_ALONE, AnswerType.SCALE, _("How often do you feel alone?"),
                        _("1 never, 2 sometimes, 3 often, 4 always"), 4,
                        higher_is_better=False),
        DefaultQuestion(DID_SOMETHING, AnswerType.YES_NO,
                        _("Last month, did you do something with someone from outside "
                          "the project?")),
        DefaultQuestion(SOMEONE_TO_TALK_TO, AnswerType.YES_NO,
                        _("Is there someone you can talk to about your worries?")),
        DefaultQuestion(DUO_GOING, AnswerType.SCALE, _("How is it going with your buddy?"),
                        _("1 bad, 3 fine, 5 very good"), 5),
    )),
    DefaultQuestionnaire(VOLUNTEER, Audience.VOLUNTEER, _("How your duo is going"), (
        DefaultQuestion(DUO_GOING, AnswerType.SCALE, _("How is it going in your duo?"),
                        _("1 bad, 3 fine, 5 very good"), 5),
        DefaultQuestion(NEEDS_SUPPORT, AnswerType.YES_NO,
                        _("Would you like support from your coordinator?"),
                        higher_is_better=False),
        DefaultQuestion(WOULD_DO_AGAIN, AnswerType.YES_NO,
                        _("Would you be a buddy again?")),
        DefaultQuestion(TELL_US, AnswerType.TEXT,
                        _("Anything you want to tell us? A few words are enough.")),
    )),
    DefaultQuestionnaire(AFTER_END, Audience.PARTICIPANT, _("After your duo"), (
        DefaultQuestion(STILL_IN_CONTACT, AnswerType.YES_NO,
                        _("Are you still in contact with your buddy?")),
    )),
)
