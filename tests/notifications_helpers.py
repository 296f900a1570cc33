"""Shared set-up for the notifications tests."""

from notifications import texts
from notifications.services import Recipient


def recipient(organisation, key="participant:1", first_name="Amina", language="nl",
              phone="+32470123456", email="", role="participant"):
    return Recipient(organisation_id=organisation.pk, key=key, first_name=first_name,
                     language=language, phone=phone, email=email, role=role)


REMINDER = "tests.reminder"
QUESTION = "tests.question"


def register_test_texts():
    """Two kinds for the tests, removed again by the fixture that registers them."""
    texts.register(texts.SmsText(
        kind=REMINDER,
        text="{organisation}: hi {first_name}, log your meeting: {link} Questions? "
             "{coordinator_phone}",
    ))
    texts.register(texts.SmsText(
        kind=QUESTION,
        text="{organisation}: hi {first_name}, still want a buddy? Reply YES or NO. "
             "{coordinator_phone}",
    ))
    return [REMINDER, QUESTION]
