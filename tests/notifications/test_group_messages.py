"""Group messages: the coordinator sees who gets it, the segments and the cost, and who is
left out and why, before sending; it goes out in the background, each person at most once,
with progress and a cancel; audited."""

from decimal import Decimal

import pytest
from django.db import connection

from matching.intake.models import Volunteer
from notifications.groups import services
from notifications.models import GroupMessage, GroupStatus, Message, OptOut, Status
from notifications.sms.backends import locmem
from organisations.models import AuditEvent
from tests.celery_worker import wait_until
from tests.factories_matching import VolunteerFactory

URL = "/messages/groups/new/"
TEXTS = {"text_nl": "Dag! De intervisie van donderdag gaat door in zaal 2. Sofie",
         "text_fr": "Bonjour! L'intervision de jeudi a lieu dans la salle 2. Sofie",
         "text_en": ""}


@pytest.fixture
def volunteers(organisation):
    make = VolunteerFactory
    return {
        "els": make(organisation=organisation, first_name="Els", message_language="nl"),
        "jan": make(organisation=organisation, first_name="Jan", message_language="nl"),
        "aicha": make(organisation=organisation, first_name="Aïcha", message_language="fr"),
        "mail": make(organisation=organisation, first_name="Griet", phone="",
                     email="griet@example.org", message_language="nl"),
        "call": make(organisation=organisation, first_name="Rita", contact_channel="call"),
        "stop": make(organisation=organisation, first_name="Koen"),
        "paused": make(organisation=organisation, first_name="Pieter", status="paused"),
    }


def preview(client, **extra):
    return client.post(URL, {"group": "intake.volunteers|active", "token": "g-1",
                             "action": "preview", **TEXTS, **extra})


@pytest.mark.django_db
def test_the_preview_shows_count_segments_cost_and_who_is_left_out(coordinator_client,
                                                                    volunteers):
    OptOut.objects.create(phone=volunteers["stop"].phone)
    page = preview(coordinator_client).content.decode()
    assert "4 people get this message" in page
    result = services.group_preview(
        organisation_id=volunteers["els"].organisation_id, kind="intake.volunteers",
        value="active", texts_by_language={"nl": TEXTS["text_nl"], "fr": TEXTS["text_fr"]})
    assert {language: (share.sms, share.emails, share.segments)
            for language, share in result.shares.items()} == {"nl": (2, 1, 1), "fr": (1, 0, 1)}
    assert result.left_out == {"no_channel": ["Rita"], "stopped": ["Koen"]}
    assert "€ 0.24" in page  # three SMS of one segment at € 0.08
    assert "replied STOP" in page and "Koen" in page and "Rita" in page
    assert not Message.objects.exists() and not GroupMessage.objects.exists()


@pytest.mark.django_db
def test_a_language_without_a_text_is_refused(coordinator_client, volunteers):
    response = coordinator_client.post(URL, {"group": "intake.volunteers|active",
                                             "token": "g-1", "action": "send",
                                             **{**TEXTS, "text_fr": ""}})
    assert response.status_code == 400
    assert "read FR: write the text in that language too" in response.content.decode()
    assert not GroupMessage.objects.exists()


@pytest.mark.django_db
def test_sending_reaches_each_person_once_and_is_audited(coordinator_client, volunteers,
                                                         on_commit):
    with on_commit():
        first = coordinator_client.post(URL, {"group": "intake.volunteers|active",
                                              "token": "g-1", "action": "send", **TEXTS})
        coordinator_client.post(URL, {"group": "intake.volunteers|active", "token": "g-1",
                                      "action": "send", **TEXTS})  # a double click
    group = GroupMessage.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/messages/groups/{group.pk}/"
    assert (group.status, group.total, group.processed) == (GroupStatus.DONE, 5, 5)
    assert sorted(sms.body.split(": ", 1)[1][:10] for sms in locmem.outbox) == [
        "Bonjour! L", "Dag! De in", "Dag! De in", "Dag! De in"]
    assert Message.objects.filter(group=group, channel="email").count() == 1
    assert AuditEvent.objects.filter(subject_ref=f"notifications.groupmessage:{group.pk}",
                                     action="create").exists()
    page = coordinator_client.get(f"/messages/groups/{group.pk}/").content.decode()
    assert "5 of 5 people handled" in page


@pytest.mark.django_db
def test_cancel_mid_way_sends_to_nobody_else_and_nothing_twice(organisation, coordinator,
                                                               volunteers, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 2)
    group = services.group_message_send(
        organisation_id=organisation.pk, kind="intake.volunteers", value="active",
        texts_by_language={"nl": TEXTS["text_nl"], "fr": TEXTS["text_fr"]},
        user=coordinator, token="g-2")
    deliver_chunk = services._deliver_chunk
    calls = []

    def then_cancel(group_, keys):
        deliver_chunk(group_, keys)
        calls.append(keys)
        services.group_message_cancel(group=group_, user=coordinator)  # the coordinator

    monkeypatch.setattr(services, "_deliver_chunk", then_cancel)
    services.group_message_deliver(group.pk)
    services.group_message_deliver(group.pk)  # a duplicated task
    group.refresh_from_db()
    assert group.status == GroupStatus.CANCELLED and len(calls) == 1
    written = Message.objects.filter(group=group)
    assert written.count() == 2 == len({m.recipient_key for m in written})
    # What waited for delivery is not sent after the cancel.
    assert set(written.values_list("status", flat=True)) == {Status.CANCELLED}
    assert AuditEvent.objects.filter(action="change", label__contains="cancelled").exists()


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="5,000 rows on PostgreSQL")
def test_a_group_of_5000_goes_out_once_each_through_a_real_worker(
        celery_worker_process, organisation, coordinator, tmp_path, monkeypatch):
    sent_file = tmp_path / "sent.txt"
    monkeypatch.setenv("BUDDY_TEST_SMS_BACKEND", "tests.sms_file_backend.SmsBackend")
    monkeypatch.setenv("BUDDY_TEST_SMS_FILE", str(sent_file))
    monkeypatch.setenv("BUDDY_TEST_SMS_FAIL_FIRST", "0")
    model = VolunteerFactory.build(organisation=organisation)
    fields = {f.attname: getattr(model, f.attname) for f in Volunteer._meta.concrete_fields
              if not f.primary_key}
    Volunteer.objects.bulk_create(
        [Volunteer(**{**fields, "first_name": f"V{n}", "phone": f"+3247{n:07d}"})
         for n in range(5000)], batch_size=1000)
    result = services.group_preview(organisation_id=organisation.pk, kind="intake.volunteers",
                                    value="active", texts_by_language={"nl": "Tot morgen!"})
    assert (len(result.recipients), result.cost) == (5000, Decimal("400"))
    celery_worker_process(concurrency=2)
    group = services.group_message_send(
        organisation_id=organisation.pk, kind="intake.volunteers", value="active",
        texts_by_language={"nl": "Tot morgen!"}, user=coordinator, token="g-5000")
    assert wait_until(lambda: Message.objects.filter(group=group, status=Status.SENT)
                      .count() == 5000, timeout=240)
    sent = sent_file.read_text().split()
    assert len(sent) == len(set(sent)) == 5000
    group.refresh_from_db()
    assert (group.status, group.processed) == (GroupStatus.DONE, 5000)
