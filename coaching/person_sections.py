"""What coaching adds to the volunteer's page (registered in coaching/wiring.py): training
done, intervision sessions invited to and attended, coaching contacts; and their events."""

from django.urls import reverse
from django.utils.translation import gettext as _

from matching.intake.person_pages import Event, Section

from .models import Attendance, CoachingContact, Invitation, TrainingCompletion


def volunteer_section(volunteer, request) -> Section:
    trainings = list(TrainingCompletion.objects.filter(volunteer=volunteer)
                     .select_related("module").order_by("-completed_on"))
    invitations = list(Invitation.objects.filter(volunteer=volunteer)
                       .select_related("session").order_by("-session__starts_at")[:8])
    present = set(Attendance.objects.filter(volunteer=volunteer, present=True)
                  .values_list("session_id", flat=True))
    for invitation in invitations:
        invitation.was_present = invitation.session_id in present
    contacts = list(CoachingContact.objects.filter(volunteer=volunteer)
                    .order_by("-happened_on")[:5])
    return Section("coaching/_person_section.html", {
        "trainings": trainings, "invitations": invitations, "contacts": contacts,
        "attended": len(present)})


def volunteer_events(volunteer) -> list[Event]:
    events = [Event(t.completed_on, _("Training done: %(name)s") % {"name": t.module.name})
              for t in TrainingCompletion.objects.filter(volunteer=volunteer)
              .select_related("module")]
    events += [Event(a.session.starts_at, _("Was at intervision: %(topic)s")
                     % {"topic": a.session.topic},
                     reverse("coaching:session_detail", args=[a.session_id]))
               for a in Attendance.objects.filter(volunteer=volunteer, present=True)
               .select_related("session")]
    events += [Event(c.happened_on, _("Coaching contact (%(form)s)")
                     % {"form": c.get_form_display().lower()})
               for c in CoachingContact.objects.filter(volunteer=volunteer)]
    return events
