"""The pages behind notifications' signed links for duos (registered in DuosConfig.ready()):
the agreement for each side to confirm, and the volunteer's meeting log without a password.

notifications resolves the token, opens the link's organisation scope and language, and
shows its friendly page when the link does not work (or a page raises LinkInvalid). A
link opens nothing else: no session, no other page; it is bound to one duo and one side.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render

from buddy.forms import add_service_errors
from notifications import services as notify

from . import forms, services
from .models import RUNNING_STATUSES, ConfirmationChannel, Duo, Side
from .views import EXPENSE_FIELDS


def _page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _duo_of(link, *, sides=None):
    parts = link.subject.split(":")
    if parts[0] != "duo" or len(parts) < 2 or not parts[1].isdigit():
        raise notify.LinkInvalid()
    side = parts[2] if len(parts) > 2 else Side.VOLUNTEER
    if sides is not None and side not in sides:
        raise notify.LinkInvalid()
    duo = (Duo.objects.select_related("participant", "volunteer", "agreement", "organisation")
           .filter(pk=int(parts[1])).first())
    person = duo and (duo.participant_id if side == Side.PARTICIPANT else duo.volunteer_id)
    if duo is None or link.recipient_key != f"{side}:{person}":
        raise notify.LinkInvalid()
    return duo, side


def agreement_link_page(request, link):
    """One side reads the agreement and confirms it (the link channel)."""
    duo, side = _duo_of(link, sides=Side.values)
    other = duo.volunteer if side == Side.PARTICIPANT else duo.participant
    context = {"duo": duo, "organisation": duo.organisation,
               "other_name": other.preferred_name or other.first_name,
               "confirmed": duo.agreement.confirmed_by(side)}
    if request.method == "POST" and not context["confirmed"]:
        try:
            with transaction.atomic():
                services.agreement_confirm(duo=duo, side=side,
                                           channel=ConfirmationChannel.LINK)
                notify.link_use(link)
        except ValidationError as exc:
            return _page(request, "duos/links/agreement.html",
                         {**context, "error": " ".join(exc.messages)}, status=409)
        duo.refresh_from_db()
        context.update(duo=Duo.objects.select_related("agreement").get(pk=duo.pk),
                       confirmed=True)
    return _page(request, "duos/links/agreement.html", context)


def meeting_log_link_page(request, link):
    """The volunteer logs one meeting from a reminder, without typing a password; the link
    is spent by the log it saves."""
    duo, _side = _duo_of(link, sides=[Side.VOLUNTEER])
    if duo.status not in RUNNING_STATUSES:
        raise notify.LinkInvalid()
    form = forms.MeetingLogForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.meeting_log_create(duo=duo, created_by=duo.volunteer.user,
                                            via_link=True, **form.service_fields())
                notify.link_use(link)
        except ValidationError as exc:
            add_service_errors(form, exc, EXPENSE_FIELDS)
        else:
            return _page(request, "duos/links/meeting_log.html", {"duo": duo, "saved": True})
    return _page(request, "duos/links/meeting_log.html", {"duo": duo, "form": form})
