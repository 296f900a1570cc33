"""What duos adds to the person pages (registered in duos/wiring.py): the duos of the person
with their meetings, and the events of their timeline."""

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _

from matching.intake.person_pages import Event, Section

from .models import Agreement, Duo, DuoStatus, MeetingDuration, MeetingLog

# Rough hours of a logged meeting, for "about N hours together".
HOURS = {MeetingDuration.SHORT: 0.5, MeetingDuration.ONE_TWO: 1.5,
         MeetingDuration.HALF_DAY: 4, MeetingDuration.DAY: 7}


def _duos(**person):
    duos = list(Duo.objects.filter(**person)
                .select_related("participant", "volunteer", "agreement")
                .annotate(meetings=Count("meeting_logs"), last_meeting=Max("meeting_logs__date"))
                .order_by("-created_at"))
    durations = {}
    for duo_id, duration in MeetingLog.objects.filter(duo__in=duos).values_list("duo_id",
                                                                                   "duration"):
        durations[duo_id] = durations.get(duo_id, 0) + HOURS.get(duration, 0)
    for duo in duos:
        duo.hours = round(durations.get(duo.pk, 0))
        try:
            duo.until = duo.agreement.end_date
        except Agreement.DoesNotExist:
            duo.until = None
    return duos


def participant_section(participant, request):
    duos = _duos(participant=participant)
    if not duos:
        return None
    return Section("duos/_person_section.html", {"duos": duos, "side": "participant"})


def volunteer_section(volunteer, request):
    duos = _duos(volunteer=volunteer)
    return Section("duos/_person_section.html", {
        "duos": duos, "side": "volunteer", "hours": sum(d.hours for d in duos),
        "meetings": sum(d.meetings for d in duos)})


def _events(duos, side) -> list[Event]:
    events = []
    for duo in duos:
        other = duo.volunteer if side == "participant" else duo.participant
        url = reverse("duos:detail", args=[duo.pk])
        if duo.started_on:
            events.append(Event(duo.started_on, _("Duo with %(name)s started")
                                % {"name": other.display_name}, url))
        else:
            events.append(Event(duo.created_at, _("Duo with %(name)s: agreement asked")
                                % {"name": other.display_name}, url))
        if duo.ended_on and duo.status == DuoStatus.CLOSED:
            events.append(Event(duo.ended_on, _("Duo with %(name)s closed")
                                % {"name": other.display_name}, url))
        if duo.last_meeting:
            events.append(Event(duo.last_meeting, _("Last meeting logged with %(name)s")
                                % {"name": other.display_name}, url))
    return events


def participant_events(participant) -> list[Event]:
    return _events(_duos(participant=participant), "participant")


def volunteer_events(volunteer) -> list[Event]:
    return _events(_duos(volunteer=volunteer), "volunteer")
