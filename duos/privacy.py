"""Privacy of duos: what a person's duos hold about them, and blanking it when they are
anonymised. Dates, statuses, durations, scores and amounts stay for the reports; free text
goes (it is about both sides) and receipts are deleted from storage."""

from django.db import transaction

from .models import (
    Agreement,
    Alert,
    CheckIn,
    Duo,
    DuoStatus,
    Ending,
    Evaluation,
    Expense,
    MeetingLog,
)


def _duos(person_kind: str, person_id: int):
    return Duo.objects.filter(**{f"{person_kind}_id": person_id})


def open_duos(person_kind: str, person_id: int):
    """The person's duos that have not ended (an erasure must wait for them)."""
    return _duos(person_kind, person_id).exclude(status=DuoStatus.CLOSED)


def anonymise_duos(person_kind: str, person_id: int) -> dict:
    """Blanks the free text of the person's duos and deletes their receipts; returns counts."""
    duos = _duos(person_kind, person_id)
    # Files go once the blanking is committed: a rollback must not leave rows without files.
    files = [(expense.receipt.storage, expense.receipt.name) for expense in
             Expense.objects.filter(duo__in=duos).exclude(receipt="")]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    receipts = len(files)
    Expense.objects.filter(duo__in=duos).update(description="", rejection_reason="",
                                                receipt="", receipt_type="")
    MeetingLog.objects.filter(duo__in=duos).update(not_met_reason="", activity_text="",
                                                   note_to_coordinator="")
    Agreement.objects.filter(duo__in=duos).update(buddy_roles_other="",
                                                  excluded_areas_other="", how_to_reach="")
    CheckIn.objects.filter(duo__in=duos).update(note="")
    Alert.objects.filter(duo__in=duos).update(detail="", resolution_note="")
    Evaluation.objects.filter(duo__in=duos).update(free_text="")
    Ending.objects.filter(duo__in=duos).update(note="", exit_conversation_notes="",
                                               volunteer_leave_reason="")
    return {"duos": duos.count(), "receipts_deleted": receipts}


def person_data(person_kind: str, person_id: int) -> list[dict]:
    """The person's duos: agreement, and the meetings and expenses as logged (their side)."""
    result = []
    duos = (_duos(person_kind, person_id).select_related("agreement")
            .prefetch_related("meeting_logs", "expenses", "endings").order_by("pk"))
    for duo in duos:
        agreement = getattr(duo, "agreement", None)
        item = {
            "id": duo.pk, "status": duo.status,
            "started_on": duo.started_on.isoformat() if duo.started_on else None,
            "ended_on": duo.ended_on.isoformat() if duo.ended_on else None,
            "agreement": None if agreement is None else {
                "start_date": agreement.start_date.isoformat(),
                "duration_kind": agreement.duration_kind,
                "meeting_frequency": agreement.meeting_frequency,
                "buddy_roles": agreement.buddy_roles,
                "excluded_areas": agreement.excluded_areas,
                "how_to_reach": agreement.how_to_reach,
            },
            "meetings": [
                {"date": log.date.isoformat(), "did_not_meet": log.did_not_meet,
                 "duration": log.duration, "activities": log.activities,
                 "activity_text": log.activity_text, "how_it_went": log.how_it_went}
                for log in duo.meeting_logs.all()],
            "endings": [{"ended_by": e.ended_by, "reason": e.reason, "outcome": e.outcome}
                        for e in duo.endings.all()],
        }
        if person_kind == "volunteer":
            item["meetings_notes_to_coordinator"] = [
                log.note_to_coordinator for log in duo.meeting_logs.all()
                if log.note_to_coordinator]
            item["expenses"] = [
                {"spent_on": x.spent_on.isoformat(), "amount": f"{x.amount_cents / 100:.2f}",
                 "kind": x.kind, "description": x.description, "status": x.status}
                for x in duo.expenses.all()]
        result.append(item)
    return result
