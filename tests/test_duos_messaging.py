"""duos/messaging.py is an honest placeholder until the notifications app lands: each
function logs what must be sent (ids only, nothing sensitive) and sends nothing."""

import logging

import pytest
from django.core import mail

from duos import messaging
from tests.factories_duos import active_duo


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.mark.django_db
def test_each_message_is_logged_with_ids_only_and_nothing_is_sent(organisation):
    duo = active_duo(organisation)
    expense_like = type("E", (), {"duo_id": duo.pk, "pk": 7, "status": "approved"})()
    handler = _Records()
    logger = logging.getLogger("duos.messaging")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        results = [
            messaging.ask_volunteer_to_confirm_agreement(duo),
            messaging.ask_participant_to_confirm_agreement(duo),
            messaging.tell_duo_is_active(duo),
            messaging.ask_how_it_is_going(duo),
            messaging.ask_end_question(duo, "participant"),
            messaging.send_meeting_log_link(duo),
            messaging.tell_expense_decided(expense_like),
            messaging.tell_duo_closed(duo),
        ]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert results == [None] * 8
    texts = [record.getMessage() for record in handler.records]
    assert len(texts) == 8
    assert all(f"duo={duo.pk}" in text for text in texts)
    assert not any(duo.participant.first_name in text or str(duo.participant.phone) in text
                   for text in texts)
    assert mail.outbox == []
