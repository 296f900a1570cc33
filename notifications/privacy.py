"""Privacy of the message log, by person key (notifications knows nothing of who that is).

Anonymising keeps each message's row with its counts, status, segments and cost (figures for
reports) and blanks the text, the phone number, the address and the name; it revokes the
person's links and closes their open questions. The opt-out list keeps its numbers: it is
what stops the project texting a number that said STOP."""

from django.db.models import Q
from django.utils import timezone

from .models import CoordinatorTask, Message, Question, SignedLink


def _messages(organisation_id: int, keys: list[str], phones: list[str]):
    where = Q(recipient_key__in=keys)
    phones = [p for p in phones if p]
    if phones:
        where |= Q(phone__in=phones)
    return Message.objects.filter(where, organisation_id=organisation_id)


def anonymise_messages(*, organisation_id: int, keys: list[str], phones: list[str]) -> dict:
    """Blanks the person's messages (in and out), tasks and questions; revokes their links."""
    now = timezone.now()
    messages = _messages(organisation_id, keys, phones).update(
        body="", subject="", phone="", email="", first_name="", context={}, link_spec={},
        error="")
    links = SignedLink.objects.filter(organisation_id=organisation_id, recipient_key__in=keys,
                                      revoked_at__isnull=True).update(revoked_at=now)
    questions = Question.objects.filter(organisation_id=organisation_id, recipient_key__in=keys)
    questions.filter(closed_at__isnull=True).update(closed_at=now)
    questions.update(phone="")
    tasks = CoordinatorTask.objects.filter(organisation_id=organisation_id,
                                           recipient_key__in=keys).update(
        first_name="", phone="", detail="")
    return {"messages": messages, "links_revoked": links, "tasks": tasks}


def person_data(*, organisation_id: int, keys: list[str], phones: list[str]) -> list[dict]:
    """Every message to or from the person, oldest first."""
    return [
        {"direction": m.direction, "channel": m.channel, "created_at": m.created_at.isoformat(),
         "status": m.status, "subject": m.subject, "text": m.body}
        for m in _messages(organisation_id, keys, phones).order_by("created_at", "pk")]
