"""Privacy of coaching: a person's invitations, attendance and coaching contacts. Anonymising
keeps the rows (the counts of invitations and attendance are figures for reports) and
blanks the coordinator's notes about them."""

from .models import Attendance, CoachingContact, Invitation


def anonymise_coaching(person_kind: str, person_id: int) -> dict:
    """Blanks the notes of coaching contacts about the person; returns counts."""
    contacts = CoachingContact.objects.filter(**{f"{person_kind}_id": person_id})
    return {"coaching_contacts": contacts.update(note="")}


def person_data(person_kind: str, person_id: int) -> dict:
    """The person's invitations (and answers), attendance and coaching contacts."""
    where = {f"{person_kind}_id": person_id}
    return {
        "invitations": [
            {"session": i.session.topic, "starts_at": i.session.starts_at.isoformat(),
             "answer": i.answer,
             "answered_at": i.answered_at.isoformat() if i.answered_at else None}
            for i in Invitation.objects.filter(**where).select_related("session")
            .order_by("pk")],
        "attendance": [
            {"session": a.session.topic, "starts_at": a.session.starts_at.isoformat(),
             "present": a.present}
            for a in Attendance.objects.filter(**where).select_related("session")
            .order_by("pk")],
        "coaching_contacts": [
            {"date": c.happened_on.isoformat(), "form": c.form, "note": c.note}
            for c in CoachingContact.objects.filter(**where).order_by("happened_on", "pk")],
    }
