"""Demo data for notifications: each project's SMS rules, a short message log and a
follow-up item, so that the staff pages show something. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .models import CoordinatorTask, Message, MessagingSettings, Status, TaskKind
from .segments import count_segments

LOG = [
    # key, first name, phone, template, body, status, hours ago
    ("demo:1", "Amina", "+32470112233", "demo.proposal",
     "Samen Op Weg Gent: dag Amina, er zijn buddy's voor je! Kies hier: "
     "https://buddy.example.org/s/1nl" + "*" * 22 + " Vragen? 09 210 10 10",
     Status.DELIVERED, 30),
    ("demo:2", "Youssef", "+32470445566", "demo.keep_in_touch",
     "Samen Op Weg Gent: dag Youssef, je staat nog op de wachtlijst. Wil je nog een buddy? "
     "Antwoord JA of NEE. Vragen? 09 210 10 10", Status.FAILED, 5),
]


def seed(base):
    organisation = base["organisations"]["samen-op-weg-gent"]
    for each in base["organisations"].values():
        MessagingSettings.objects.get_or_create(organisation=each)
    now = timezone.now()
    for key, first_name, phone, template, body, status, hours in LOG:
        counted = count_segments(body)
        message, created = Message.objects.get_or_create(
            organisation=organisation, idempotency_key=key,
            defaults={
                "direction": "out", "channel": "sms", "template": template,
                "recipient_key": f"demo-participant:{first_name.lower()}",
                "recipient_role": "participant", "first_name": first_name, "phone": phone,
                "language": "nl", "body": body, "segments": counted.segments,
                "encoding": counted.encoding, "cost": Decimal("0.08") * counted.segments,
                "status": status, "backend": "console",
                "created_at": now - timedelta(hours=hours),
                "sent_at": now - timedelta(hours=hours),
                "error": "Provider reports: not delivered 30003" if status == Status.FAILED
                else "",
            },
        )
        if created and status == Status.FAILED:
            CoordinatorTask.objects.create(
                organisation=organisation, kind=TaskKind.CALL_UNDELIVERED,
                recipient_key=message.recipient_key, first_name=first_name, phone=phone,
                detail=message.error, message=message,
            )
