"""matching, duos and coaching reach people through notifications, end to end: the real
SMS and e-mail outboxes, signed links opened anonymously, SMS replies through the signed
Twilio webhook, and coordinator tasks for people who want a phone call."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from coaching import messaging
from coaching import services as coaching_services
from coaching.models import CoachingSettings, Invitation
from duos import services as duo_services
from duos.models import Alert, Duo, EndAnswer, MeetingLog
from matching.proposals import messaging as matching_messaging
from matching.proposals import services as proposal_services
from matching.proposals.models import VolunteerOffer
from notifications import hooks
from notifications import services as notify
from notifications.models import CoordinatorTask, Message, SignedLink, TaskKind
from notifications.sms.backends import locmem
from notifications.tasks import reminders_dispatch
from tests import factories_coaching, factories_duos
from tests.factories import VolunteerUserFactory
from tests.factories_proposals import CandidateFactory, ProposalFactory
from tests.notifications.test_sms_webhooks import TOKEN, twilio_sms

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)  # noon in Brussels


@pytest.fixture(autouse=True)
def _daytime_and_twilio(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://buddy.example.org"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Runs the block, then what it queued for after the commit (the sending tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sms_to(phone):
    return [sms for sms in locmem.outbox if sms.to == str(phone)]


def token_in(text):
    found = re.findall(r"/s/([0-9A-Za-z]+)", text)
    assert found, text
    return found[-1]


_sids = iter(range(1, 10_000))


def reply(client, send, body, phone):
    with send():
        response = twilio_sms(client, body, sender=str(phone), sid=f"SM{next(_sids)}")
    assert response.status_code == 200
    return response


def open_proposal(organisation, positions=(1, 2, 3), **participant):
    proposal = ProposalFactory(organisation=organisation, **{
        f"participant__{key}": value for key, value in participant.items()})
    for position in positions:
        CandidateFactory(proposal=proposal, position=position)
    return proposal


# matching ---------------------------------------------------------------------------------


def test_a_proposal_reaches_the_participant_once_and_a_reply_2_chooses_candidate_2(
        client, organisation, send):
    proposal = open_proposal(organisation, message_language="nl")
    participant = proposal.participant
    with send():
        matching_messaging.send_proposal_to_participant(proposal.pk)
        matching_messaging.send_proposal_to_participant(proposal.pk)  # a retried task
    [sms] = sms_to(participant.phone)
    assert organisation.name in sms.body
    assert organisation.contact_phone.as_national in sms.body
    assert "GEEN of BEL" in sms.body and "1 " in sms.body and "2 " in sms.body
    assert participant.last_name not in sms.body
    # The link page shows the candidates.
    page = client.get(f"/s/{token_in(sms.body)}")
    assert page.status_code == 200
    second = proposal.candidates.get(position=2).volunteer
    assert second.first_name in page.content.decode()

    reply(client, send, "2", participant.phone)
    proposal.refresh_from_db()
    assert proposal.status == "chosen" and proposal.channel == "sms"
    offer = VolunteerOffer.objects.get()
    assert offer.volunteer == second
    # The participant is told; the volunteer gets their question with a link.
    assert len(sms_to(participant.phone)) == 2
    [asked] = sms_to(second.phone)
    assert participant.first_name in asked.body
    page = client.get(f"/s/{token_in(asked.body)}")
    assert page.status_code == 200 and participant.first_name in page.content.decode()
    with send():
        assert client.post(f"/s/{token_in(asked.body)}", {"answer": "accept"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.channel == "link"


def test_a_reply_for_a_number_that_does_not_exist_changes_nothing(client, organisation, send):
    proposal = open_proposal(organisation, positions=(1, 2))
    with send():
        matching_messaging.send_proposal_to_participant(proposal.pk)
    reply(client, send, "3", proposal.participant.phone)
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert CoordinatorTask.objects.filter(kind=TaskKind.UNEXPECTED_REPLY).count() == 1


@pytest.mark.parametrize(("word", "status"), [("GEEN", "none_of_these"), ("nee", "none_of_these"),
                                              ("BEL", "call_me")])
def test_none_and_call_me_by_sms_reply(client, organisation, send, word, status):
    proposal = open_proposal(organisation)
    with send():
        matching_messaging.send_proposal_to_participant(proposal.pk)
    reply(client, send, word, proposal.participant.phone)
    proposal.refresh_from_db()
    assert proposal.status == status


def test_the_volunteer_gets_the_question_by_e_mail_and_sms_each_with_a_link(
        client, organisation, send):
    proposal = open_proposal(organisation, positions=(1,))
    volunteer = proposal.candidates.get().volunteer
    volunteer.email = "vera@example.org"
    volunteer.save()
    with send():
        proposal_services.proposal_choose(proposal, 1, "phone")
    [email] = mail.outbox
    assert email.to == ["vera@example.org"]
    assert len(sms_to(volunteer.phone)) == 1
    with send():
        response = client.post(f"/s/{token_in(email.body)}", {"answer": "decline"})
    assert response.status_code == 302
    assert VolunteerOffer.objects.get().status == "declined"


def test_a_participant_who_wants_a_phone_call_gets_a_coordinator_task_not_a_message(
        organisation, send):
    proposal = open_proposal(organisation, contact_channel="call")
    with send():
        matching_messaging.send_proposal_to_participant(proposal.pk)
        matching_messaging.send_proposal_to_participant(proposal.pk)
    assert locmem.outbox == [] and mail.outbox == []
    assert not Message.objects.exists()
    task = CoordinatorTask.objects.get(kind=TaskKind.CALL_PREFERRED)
    assert task.recipient_key == f"participant:{proposal.participant_id}"
    assert task.first_name == proposal.participant.first_name


def test_a_rolled_back_choice_sends_nothing(organisation, send):
    proposal = open_proposal(organisation)
    with send(), pytest.raises(RuntimeError), transaction.atomic():
        proposal_services.proposal_choose(proposal, 1, "phone")
        assert Message.objects.count() >= 2  # written in the transaction
        raise RuntimeError
    assert not Message.objects.exists() and locmem.outbox == []


def test_introduction_meeting_reaches_both_with_when_and_where(organisation, send):
    proposal = open_proposal(organisation, positions=(1,))
    proposal_services.proposal_choose(proposal, 1, "phone")
    offer = VolunteerOffer.objects.get()
    proposal_services.offer_answer(offer=offer, accept=True, channel="phone")
    planned = datetime.datetime(2026, 6, 17, 12, 0, tzinfo=datetime.UTC)
    locmem.outbox.clear()
    with send():
        proposal_services.meeting_plan(offer=offer, planned_at=planned, place="De Krook")
        proposal_services.meeting_plan(offer=offer, planned_at=planned, place="De Krook")
    bodies = [sms.body for sms in locmem.outbox]
    assert len(bodies) == 2
    assert all("17/06" in body and "14:00" in body and "De Krook" in body for body in bodies)


# duos -----------------------------------------------------------------------------------------


def test_agreement_confirmed_by_the_volunteers_link_and_the_participants_sms_reply(
        client, organisation, send):
    duo = factories_duos.pending_duo(organisation)
    with send():
        duo_services.agreement_ask_confirmation(duo=duo)
    [to_volunteer] = sms_to(duo.volunteer.phone)
    [to_participant] = sms_to(duo.participant.phone)
    assert "JA of NEE" in to_participant.body
    url = f"/s/{token_in(to_volunteer.body)}"
    page = client.get(url)
    assert page.status_code == 200
    assert duo.participant.first_name in page.content.decode()
    assert "Private intake note" not in page.content.decode()
    with send():
        assert client.post(url).status_code == 200
    duo.refresh_from_db()
    assert duo.agreement.volunteer_confirmed_channel == "link"
    assert client.get(url).status_code == 404  # single use
    reply(client, send, "JA", duo.participant.phone)
    duo.refresh_from_db()
    assert duo.status == "active"
    assert duo.agreement.participant_confirmed_channel == "sms_reply"
    # Both are told the duo started.
    assert len(sms_to(duo.participant.phone)) == 2 and len(sms_to(duo.volunteer.phone)) == 2


def test_participant_confirms_the_agreement_through_the_link(client, organisation, send):
    duo = factories_duos.pending_duo(organisation)
    with send():
        duo_services.agreement_ask_confirmation(duo=duo)
    [to_participant] = sms_to(duo.participant.phone)
    with send():
        client.post(f"/s/{token_in(to_participant.body)}")
    duo.refresh_from_db()
    assert duo.agreement.participant_confirmed_channel == "link"
    assert duo.status == "agreement_pending"


def test_a_no_to_the_agreement_alerts_the_coordinator(client, organisation, send):
    duo = factories_duos.pending_duo(organisation)
    with send():
        duo_services.agreement_ask_confirmation(duo=duo)
    reply(client, send, "nee", duo.participant.phone)
    assert Alert.objects.filter(duo=duo, kind="agreement_declined").exists()


def test_how_is_it_going_reply_2_alerts_the_coordinator(client, organisation, send):
    duo = factories_duos.active_duo(organisation)
    with send():
        duo_services.participant_ask_how_it_is_going(duo=duo)
        duo_services.participant_ask_how_it_is_going(duo=duo)  # same day: nothing more
    [question] = [s for s in sms_to(duo.participant.phone) if "1 (slecht)" in s.body]
    assert question
    reply(client, send, "2", duo.participant.phone)
    assert duo.participant_answers.get().score == 2
    assert Alert.objects.filter(duo=duo, kind="low_answer", resolved_at__isnull=True).exists()


def test_end_question_answered_by_sms_by_both_sides(client, organisation, send):
    duo = factories_duos.active_duo(organisation, duration_months=6)
    with send():
        duo_services.end_question_ask(duo=duo)
    assert any("1 om te verlengen" in s.body for s in sms_to(duo.participant.phone))
    reply(client, send, "3", duo.participant.phone)
    reply(client, send, "2", duo.volunteer.phone)
    answers = dict(EndAnswer.objects.filter(duo=duo).values_list("side", "answer"))
    assert answers == {"participant": "friends", "volunteer": "close"}


def test_meeting_log_link_logs_a_meeting_without_a_password_once(client, organisation, send):
    duo = factories_duos.active_duo(organisation)
    with send():
        duo_services.meeting_log_reminder_send(duo=duo)
    [reminder] = [s for s in sms_to(duo.volunteer.phone) if "/s/" in s.body]
    url = f"/s/{token_in(reminder.body)}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="how_it_went"' in page.content.decode()
    data = {"date": NOW.date().isoformat(), "duration": "one_two", "activities": ["walk"],
            "how_it_went": "4", "client_key": "k1"}
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    log = MeetingLog.objects.get(duo=duo)
    assert log.how_it_went == 4
    assert "_auth_user_id" not in client.session  # nobody was logged in
    assert client.get(url).status_code == 404  # spent
    assert client.get("/duos/my/").status_code in (302, 403)


def test_a_closed_duo_tells_both_once(organisation, send, coordinator):
    duo = factories_duos.active_duo(organisation)
    locmem.outbox.clear()
    with send():
        duo_services.duo_end_early(duo=duo, ended_by="participant", planned=False,
                                   reason="moved")
        duo_services.duo_close(duo=Duo.objects.get(pk=duo.pk), closed_by=coordinator,
                               participant_wants_new_buddy=True, volunteer_next="pool")
    assert len(sms_to(duo.participant.phone)) == 1 and len(sms_to(duo.volunteer.phone)) == 1


# coaching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "answer"), [("JA", "yes"), ("nee", "no"),
                                              ("Misschien", "maybe")])
def test_coaching_invitation_sms_reply(client, organisation, send, word, answer):
    participant = factories_coaching.ParticipantFactory(organisation=organisation)
    session = factories_coaching.SessionFactory(organisation=organisation)
    with send():
        coaching_services.invitation_add(session=session, participant=participant)
    [sms] = sms_to(participant.phone)
    assert "JA, NEE of MISSCHIEN" in sms.body and session.topic not in sms.body
    reply(client, send, word, participant.phone)
    invitation = Invitation.objects.get()
    assert (invitation.answer, invitation.channel) == (answer, "sms")


def test_coaching_invitation_by_e_mail_with_the_sessions_calendar_and_a_link_answer(
        client, organisation, send):
    volunteer = factories_coaching.VolunteerFactory(organisation=organisation)
    session = factories_coaching.SessionFactory(organisation=organisation)
    with send():
        coaching_services.invitation_add(session=session, volunteer=volunteer)
    [email] = mail.outbox
    assert email.to == [volunteer.email]
    [(name, ics, mimetype)] = email.attachments
    assert b"SEQUENCE:0" in (ics if isinstance(ics, bytes) else ics.encode())
    assert "method=REQUEST" in mimetype
    url = f"/s/{token_in(email.body)}"
    assert session.topic in client.get(url).content.decode()
    with send():
        assert client.post(url, {"answer": "maybe"}).status_code == 302
        assert client.post(url, {"answer": "yes"}).status_code == 302  # a change of mind
    invitation = Invitation.objects.get()
    assert (invitation.answer, invitation.channel) == ("yes", "link")
    # Cancelling sends the CANCEL calendar to the yes.
    with send():
        coaching_services.session_cancel(session=session, scope="this", reason="Ziek")
    cancel = mail.outbox[-1]
    assert "method=CANCEL" in cancel.attachments[0][2]


def test_a_volunteer_without_e_mail_is_invited_by_sms(organisation, send):
    volunteer = factories_coaching.VolunteerFactory(organisation=organisation, email="",
                                                    contact_channel="sms")
    session = factories_coaching.SessionFactory(organisation=organisation)
    with send():
        coaching_services.invitation_add(session=session, volunteer=volunteer)
    assert mail.outbox == []
    assert len(sms_to(volunteer.phone)) == 1


def test_retries_never_send_twice(organisation, send):
    participant = factories_coaching.ParticipantFactory(organisation=organisation)
    session = factories_coaching.SessionFactory(organisation=organisation)
    invitation = Invitation.objects.create(session=session, participant=participant)

    with send():
        messaging.invite_by_sms(invitation.pk)
        messaging.invite_by_sms(invitation.pk)
    for message in Message.objects.all():
        notify.sms_deliver(message.pk)  # a duplicated task
    assert len(sms_to(participant.phone)) == 1
    assert SignedLink.objects.filter(purpose="coaching.invitation").count() == 1


def test_every_purpose_has_its_page_and_reply_handler():
    for purpose in ("matching.proposal", "matching.offer", "duos.agreement",
                    "duos.meeting_log", "coaching.invitation"):
        assert hooks.link_view(purpose) is not None, purpose
    for purpose in ("matching.proposal", "duos.agreement", "duos.how_is_it_going",
                    "duos.end_question", "coaching.invitation"):
        assert hooks.reply_handler(purpose) is not None, purpose


def test_a_logged_in_volunteer_answers_their_own_invitations_only(client, organisation):
    user = VolunteerUserFactory(organisation=organisation, username="vera")
    own = factories_coaching.VolunteerFactory(organisation=organisation, user=user)
    other = factories_coaching.VolunteerFactory(organisation=organisation)
    session = factories_coaching.SessionFactory(organisation=organisation)
    mine = Invitation.objects.create(session=session, volunteer=own)
    theirs = Invitation.objects.create(session=session, volunteer=other)
    client.force_login(user)
    page = client.get("/coaching/my/")
    assert page.status_code == 200 and session.topic in page.content.decode()
    assert client.post(f"/coaching/my/{mine.pk}/answer/", {"answer": "yes"}).status_code == 302
    assert client.post(f"/coaching/my/{theirs.pk}/answer/",
                       {"answer": "yes"}).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.answer, mine.channel, theirs.answer) == ("yes", "link", "none")


# Every remaining message function, for real through notifications ---------------------------


def templates_sent():
    return list(Message.objects.order_by("pk").values_list("template", flat=True))


def test_reminder_answer_and_back_on_the_waiting_list_messages(organisation, send):
    proposal = open_proposal(organisation, positions=(1,))
    with send():
        proposal_services.proposal_remind(proposal=proposal)
        proposal_services.proposal_remind(proposal=proposal)
    assert templates_sent() == ["matching.proposal_reminder"]
    proposal_services.proposal_choose(proposal, 1, "phone")
    with send():
        proposal_services.offer_answer(offer=VolunteerOffer.objects.get(), accept=False,
                               channel="phone")
    assert templates_sent()[-1] == "matching.back_on_waiting_list"
    other = open_proposal(organisation, positions=(1,))
    with send():
        proposal_services.proposal_none_of_these(other, "phone")
    assert templates_sent()[-1] == "matching.answer_none"


def test_expense_decision_reaches_the_volunteer(organisation, send, coordinator):
    duo = factories_duos.active_duo(organisation)
    expense = duo_services.expense_claim(duo=duo, claimed_by=coordinator,
                                         spent_on=NOW.date(), amount="12.50",
                                         kind="transport")
    with send():
        duo_services.expense_approve(expense=expense, approved_by=coordinator)
    assert templates_sent()[-1] == "duos.expense_decided"
    assert len([s for s in sms_to(duo.volunteer.phone) if "onkostennota" in s.body]) == 1


def test_moved_up_changed_and_reminder_reach_the_invitees(organisation, send):
    CoachingSettings.objects.update_or_create(organisation=organisation,
                                              defaults={"reminder_lead_days": 10})
    session = factories_coaching.SessionFactory(organisation=organisation, capacity=1)
    first, second = (factories_coaching.ParticipantFactory(organisation=organisation)
                     for _ in range(2))
    one = Invitation.objects.create(session=session, participant=first)
    two = Invitation.objects.create(session=session, participant=second)
    coaching_services.invitation_answer(one, "yes", "coordinator")
    coaching_services.invitation_answer(two, "yes", "coordinator")
    with send():
        coaching_services.invitation_answer(one, "no", "coordinator")
    assert [s.body for s in sms_to(second.phone) if "plaats vrij" in s.body]
    with send():
        coaching_services.session_update(session=session, scope="this", place="De Krook")
    assert [s.body for s in sms_to(second.phone) if "De Krook" in s.body]
    with send():
        reminders_dispatch(only={"coaching.session_reminder"})
        reminders_dispatch(only={"coaching.session_reminder"})
    assert templates_sent().count("coaching.reminder") == 1


def test_a_coordinator_logged_in_in_the_same_browser_can_answer_a_signed_link(
        coordinator_client, organisation, send):
    """A coordinator tries the participant's link in their own browser, still logged in:
    the link page works as for anyone (it opens the link's scope, not the staff member's)."""
    proposal = open_proposal(organisation, positions=(1, 2))
    with send():
        matching_messaging.send_proposal_to_participant(proposal.pk)
    [sms] = sms_to(proposal.participant.phone)
    token = token_in(sms.body)
    assert coordinator_client.get(f"/s/{token}").status_code == 200
    with send():
        response = coordinator_client.post(f"/s/{token}", {"answer": "1"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "chosen"
