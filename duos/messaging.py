"""Every message and signed link the duos room needs, in one small module, sending through
notifications (matching/reach.py picks SMS, e-mail or a coordinator's call).

The services call these inside their transaction: notifications writes the message in that
transaction (its outbox) and sends it after the commit, once per idempotency key; a
rolled-back change sends nothing. Links and questions (pages and reply handlers registered
in DuosConfig.ready()):

- "duos.agreement" (subject "duo:<id>:<side>"): the agreement page, confirm (single use);
  the participant's SMS also asks YES/NO → `services.agreement_reply_received`;
- "duos.how_is_it_going" (subject "duo:<id>"): reply 1 to 5 →
  `services.how_is_it_going_reply_received`;
- "duos.end_question" (subject "duo:<id>:<side>"): reply 1 extend, 2 stop, 3 friends →
  `services.end_question_reply_received`;
- "duos.meeting_log" (subject "duo:<id>"): the meeting-log form without a password, for
  one log (single use, a week).
"""

from datetime import timedelta

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from matching.intake import reach
from notifications import services as notify

from . import selectors
from . import sms_texts as kinds
from .models import Duo, Expense

AGREEMENT = "duos.agreement"
HOW_IS_IT_GOING = "duos.how_is_it_going"
END_QUESTION = "duos.end_question"
MEETING_LOG = "duos.meeting_log"
TITLE = _("About your duo")
LINK_DAYS = timedelta(days=14)


def _duo(duo):
    return Duo.objects.select_related("participant", "volunteer", "agreement").get(pk=duo.pk)


def _agreement_key(duo, side, step):
    # The agreement's version: asking about a changed agreement is a new message. The
    # reminder has a key of its own, or notifications would take it for the first ask.
    key = f"duos.agreement:{duo.pk}:{side}:{duo.agreement.updated_at.timestamp():.0f}"
    return key if step == "ask" else f"{key}:{step}"


def ask_volunteer_to_confirm_agreement(duo, step: str = "ask") -> None:
    """E-mail/SMS to the volunteer with a signed link to read and confirm the agreement;
    `step` names the message (the coordinator's ask, the reminder), each sent once."""
    duo = _duo(duo)
    reach.reach(
        duo.volunteer, kind=kinds.AGREEMENT_VOLUNTEER,
        key=_agreement_key(duo, "volunteer", step),
        email_title=TITLE, email_line=_("Please read and confirm the agreement of your duo."),
        link=notify.LinkSpec(purpose=AGREEMENT, subject=f"duo:{duo.pk}:volunteer",
                             valid_for=LINK_DAYS),
        call_detail=_("Go through the agreement with the volunteer and record their answer."),
    )


def ask_participant_to_confirm_agreement(duo, step: str = "ask") -> None:
    """SMS to the participant: a signed link to the agreement, or reply YES / NO (`step` as
    for the volunteer)."""
    duo = _duo(duo)
    reach.reach(
        duo.participant, kind=kinds.AGREEMENT_PARTICIPANT,
        key=_agreement_key(duo, "participant", step),
        email_title=TITLE, email_line=_("Please read and confirm the agreement of your duo."),
        link=notify.LinkSpec(purpose=AGREEMENT, subject=f"duo:{duo.pk}:participant",
                             valid_for=LINK_DAYS),
        question=notify.QuestionSpec(purpose=AGREEMENT, subject=f"duo:{duo.pk}:participant",
                                     valid_for=LINK_DAYS),
        call_detail=_("Go through the agreement with the participant and record their "
                      "answer."),
    )


def tell_duo_is_active(duo) -> None:
    """Both confirmed: tells both that the duo starts, with the agreed end date."""
    duo = _duo(duo)
    end = duo.agreement.end_date
    for person, other in ((duo.participant, duo.volunteer), (duo.volunteer, duo.participant)):
        language = reach.language_of(person)

        def line(language=language, other=other):
            if end is None:
                return reach.text_in(_("Your duo with %(name)s has started, for as long as "
                                       "you both want."), language,
                                     name=reach.name_for_buddy(other, language))
            return reach.text_in(_("Your duo with %(name)s has started. It runs until "
                                   "%(end)s."), language,
                                 name=reach.name_for_buddy(other, language),
                                 end=formats.date_format(end, "j F Y"))

        reach.reach(person, kind=kinds.ACTIVE,
                    key=f"duos.active:{duo.pk}:{reach.role_of(person)}",
                    context={"other_first_name": reach.name_for_buddy(other, language)},
                    email_title=TITLE, email_line=line,
                    call_detail=_("Tell them the duo has started."))


def ask_how_it_is_going(duo) -> None:
    """SMS to the participant: how is it going with your buddy? Reply 1 (bad) to 5 (good)."""
    duo = _duo(duo)
    if reach.channel_for(duo.participant) != "sms":
        return  # a question answered by SMS reply; the check-ins reach the others
    reach.reach(
        duo.participant, kind=kinds.HOW_IS_IT_GOING,
        key=f"duos.how_is_it_going:{duo.pk}:{duo.how_asked_on}",
        question=notify.QuestionSpec(purpose=HOW_IS_IT_GOING, subject=f"duo:{duo.pk}",
                                     accepts=(), choices=5,
                                     valid_for=selectors.HOW_IS_IT_GOING_VALID_FOR),
    )


def ask_end_question(duo, side) -> None:
    """SMS/e-mail to one side, weeks before the end: reply 1 extend, 2 stop, 3 friends."""
    duo = _duo(duo)
    person = duo.participant if side == "participant" else duo.volunteer
    end = duo.agreement.end_date
    language = reach.language_of(person)
    channel = reach.channel_for(person)
    if channel == "email" and notify.normalise_phone(str(person.phone or "")):
        channel = "sms"  # the answer is an SMS reply
    reach.reach(
        person, kind=kinds.END_QUESTION, channel=channel,
        key=f"duos.end_question:{duo.pk}:{side}:{end}",
        context={"date": end.strftime("%d/%m") if end else ""},
        question=notify.QuestionSpec(purpose=END_QUESTION, subject=f"duo:{duo.pk}:{side}",
                                     accepts=(), choices=3, valid_for=timedelta(days=28)),
        email_title=TITLE,
        email_line=lambda: reach.text_in(
            _("Your duo ends on %(end)s. Would you like to extend it, stop, or go on as "
              "friends? Tell your coordinator."), language,
            end=formats.date_format(end, "j F Y") if end else ""),
        call_detail=_("Ask them whether the duo is extended, stops, or goes on as friends."),
    )


def send_meeting_log_link(duo) -> None:
    """Reminder to the volunteer with a signed link to the meeting-log page (no password)."""
    duo = _duo(duo)
    reach.reach(
        duo.volunteer, kind=kinds.MEETING_LOG,
        key=f"duos.meeting_log:{duo.pk}:{duo.log_reminder_sent_on}",
        email_title=TITLE,
        email_line=_("Did you meet your buddy? Note it through this link, no password "
                     "needed."),
        link=notify.LinkSpec(purpose=MEETING_LOG, subject=f"duo:{duo.pk}",
                             valid_for=timedelta(days=7)),
        call_detail=_("Ask the volunteer about their recent meetings."),
    )


def tell_expense_decided(expense) -> None:
    """Tells the volunteer that an expense was approved, rejected or paid."""
    expense = Expense.objects.select_related("duo__volunteer").get(pk=expense.pk)
    volunteer = expense.duo.volunteer
    language = reach.language_of(volunteer)
    reach.reach(
        volunteer, kind=kinds.EXPENSE_DECIDED,
        key=f"duos.expense:{expense.pk}:{expense.status}",
        email_title=TITLE,
        email_line=lambda: reach.text_in(
            _("Your expense of %(date)s (%(amount)s euro): %(status)s."), language,
            date=formats.date_format(expense.spent_on, "j F Y"),
            amount=f"{expense.amount_cents / 100:.2f}", status=expense.get_status_display()),
        call_detail=_("Tell the volunteer about their expense."),
    )


def tell_duo_closed(duo) -> None:
    """Thanks both for the duo and says what happens next (waiting list, pool)."""
    duo = _duo(duo)
    for person in (duo.participant, duo.volunteer):
        reach.reach(person, kind=kinds.CLOSED,
                    key=f"duos.closed:{duo.pk}:{reach.role_of(person)}",
                    email_title=TITLE,
                    email_line=_("Your duo has ended. Thank you! Your coordinator tells you "
                                 "what comes next."),
                    call_detail=_("Thank them for the duo and say what comes next."))
