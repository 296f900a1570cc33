"""The phone simulator of `make run`: every SMS sent, per number, with its real link, and a
reply box that goes through the real inbound path (parsing, questions, tasks)."""

import pytest

from notifications import hooks, services
from notifications.models import CoordinatorTask, Message, SimulatedSms, TaskKind
from tests.factories import CoordinatorFactory
from tests.notifications_helpers import QUESTION, REMINDER, recipient

pytestmark = pytest.mark.django_db
URL = "/messages/simulator/"


@pytest.fixture
def simulator(settings, sms_texts):
    settings.SMS_SIMULATOR = True
    seen = []
    hooks.register_reply_handler("tests.simulated", seen.append)
    yield seen
    hooks._reply_handlers.pop("tests.simulated", None)


def ask(organisation, on_commit, phone="+32470123456", key="q-1", first_name="Amina"):
    with on_commit():
        return services.sms_send(
            recipient=recipient(organisation, phone=phone, first_name=first_name),
            template=QUESTION, idempotency_key=key,
            question=services.QuestionSpec(purpose="tests.simulated", subject="s:1"))


def test_the_simulator_is_off_unless_debug_or_the_console_backend(coordinator_client):
    assert coordinator_client.get(URL).status_code == 404
    assert coordinator_client.post(URL, {"phone": "0470123456", "body": "ja"}).status_code == 404


def test_the_simulator_needs_a_staff_login(client, simulator):
    assert client.get(URL).status_code == 302


def test_every_sms_sent_shows_per_number_with_its_real_link(coordinator_client, organisation,
                                                            simulator, on_commit):
    ask(organisation, on_commit)
    with on_commit():
        services.sms_send(recipient=recipient(organisation, first_name="Amina"),
                          template=REMINDER, idempotency_key="r-1",
                          link=services.LinkSpec(purpose="tests.link", subject="s:1"))
    page = coordinator_client.get(URL).content.decode()
    assert "+32470123456 · Amina" in page
    assert "still want a buddy? Reply YES or NO." in page
    body = SimulatedSms.objects.get(message__idempotency_key="r-1").body
    link = next(word for word in body.split() if "/s/" in word)
    assert "/s/" in link and "*" not in link  # the stored log has stars, the phone the link
    assert f'href="{link}"' in page


def test_a_reply_goes_through_the_real_inbound_path(coordinator_client, organisation,
                                                    simulator, on_commit):
    ask(organisation, on_commit)
    with on_commit():
        response = coordinator_client.post(URL, {"phone": "+32470123456", "body": "Ja!"})
    assert response.status_code == 302
    assert [(reply.answer, reply.subject) for reply in simulator] == [("yes", "s:1")]
    inbound = Message.objects.get(direction="in")
    assert (inbound.backend, inbound.recipient_key) == ("simulator", "participant:1")
    page = coordinator_client.get(URL).content.decode()
    assert "Ja!" in page


def test_a_reply_nobody_understands_makes_a_task_and_an_answer(coordinator_client, organisation,
                                                               simulator, on_commit):
    ask(organisation, on_commit)
    with on_commit():
        coordinator_client.post(URL, {"phone": "0470 12 34 56", "body": "wie is dit?"})
    assert CoordinatorTask.objects.filter(kind=TaskKind.UNEXPECTED_REPLY).count() == 1
    answer = SimulatedSms.objects.filter(direction="out").last()
    assert "begrepen je antwoord niet" in answer.body  # in Dutch, like the question


def test_a_bad_number_is_refused_and_nothing_changes(coordinator_client, simulator):
    response = coordinator_client.post(URL, {"phone": "12", "body": "ja"})
    assert response.status_code == 400
    assert "not a phone number" in response.content.decode()
    assert not Message.objects.exists() and not SimulatedSms.objects.exists()


def test_another_organisations_phones_are_not_shown(client, organisation, other_organisation,
                                                    simulator, on_commit):
    ask(other_organisation, on_commit, phone="+32470999888", first_name="Yusuf")
    client.force_login(CoordinatorFactory(organisation=organisation))
    assert "Yusuf" not in client.get(URL).content.decode()


def test_the_page_costs_the_same_queries_for_many_numbers(coordinator_client, organisation,
                                                          simulator, on_commit,
                                                          django_assert_max_num_queries):
    for n in range(15):
        ask(organisation, on_commit, phone=f"+324701234{n:02d}", key=f"q-{n}")
    with django_assert_max_num_queries(12):
        coordinator_client.get(URL)


def test_the_home_page_links_the_simulator(coordinator_client, settings):
    settings.SMS_SIMULATOR = True
    assert URL in coordinator_client.get("/").content.decode()
    settings.SMS_SIMULATOR = False
    assert URL not in coordinator_client.get("/").content.decode()
