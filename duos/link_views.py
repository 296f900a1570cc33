"""The pages behind notifications' signed links for duos (registered in DuosConfig.ready()):
the agreement for each side to confirm, and the volunteer's meeting log without a password.

notifications resolves the token, opens the link's organisation scope and language, and
shows its friendly page when the link does not work (or a page raises LinkInvalid). A
link opens nothing else: no session, no other page; it is bound to one duo and one side.
"""

from django.core.exceptions import ValidationError

from buddy.forms import add_service_errors
from notifications import link_pages
from notifications import services as notify

from . import forms, services
from .models import RUNNING_STATUSES, ConfirmationChannel, Duo, Side
from .views import EXPENSE_FIELDS


def _duo_of(link, *, sides):
    """The duo of a link "duo:<id>[:<side>]" and the side it was sent to."""
    duo_id = link_pages.subject_id(link, "duo")
    parts = link.subject.split(":")
    side = parts[2] if len(parts) > 2 else Side.VOLUNTEER
    if side not in sides:
        raise notify.LinkInvalid()
    duo = (Duo.objects.select_related("participant", "volunteer", "agreement", "organisation")
           .filter(pk=duo_id).first())
    person = duo and (duo.participant_id if side == Side.PARTICIPANT else duo.volunteer_id)
    link_pages.check_recipient(link, side, person)
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
            link_pages.spend(link, lambda: services.agreement_confirm(
                duo=duo, side=side, channel=ConfirmationChannel.LINK))
        except ValidationError as exc:
            return link_pages.page(request, "duos/links/agreement.html",
                                   {**context, "error": link_pages.error_text(exc)},
                                   status=409)
        duo.refresh_from_db()
        context.update(duo=Duo.objects.select_related("agreement").get(pk=duo.pk),
                       confirmed=True)
    return link_pages.page(request, "duos/links/agreement.html", context)


def meeting_log_link_page(request, link):
    """The volunteer logs one meeting from a reminder, without typing a password; the link
    is spent by the log it saves."""
    duo, _side = _duo_of(link, sides=[Side.VOLUNTEER])
    if duo.status not in RUNNING_STATUSES:
        raise notify.LinkInvalid()
    form = forms.MeetingLogForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            link_pages.spend(link, lambda: services.meeting_log_create(
                duo=duo, created_by=duo.volunteer.user, via_link=True, **form.service_fields()))
        except ValidationError as exc:
            add_service_errors(form, exc, EXPENSE_FIELDS)
        else:
            return link_pages.page(request, "duos/links/meeting_log.html",
                                   {"duo": duo, "saved": True})
    return link_pages.page(request, "duos/links/meeting_log.html", {"duo": duo, "form": form})
