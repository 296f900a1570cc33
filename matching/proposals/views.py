"""Pages of short lists, proposal rounds, proposals and the introduction meeting (staff),
and the two personal-link pages behind notifications' signed links: the participant's choice
and the chosen volunteer's answer. Thin: they parse input, call a service or selector, render.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from buddy.i18n import reader_language
from matching.intake import versions as intake_versions
from matching.intake.models import Participant, Volunteer
from matching.intake.privacy import profile_shared
from matching.intake.reach import name_for_buddy
from matching.intake.views import OrganisationStaffMixin
from notifications import keywords, link_cache, link_pages
from organisations.audit import audit
from organisations.models import AuditAction

from . import selectors, services, tokens
from .models import (
    AnswerChannel,
    CandidateStatus,
    IntroductionMeeting,
    MatchingSettings,
    OfferStatus,
    Proposal,
    ProposalCallTask,
    ProposalCandidate,
    ProposalRound,
    ProposalStatus,
    RoundStatus,
    VolunteerOffer,
)
from .profiles import matching_settings


def _with_reasons(candidates, language):
    """Each candidate's reasons in the reader's language, as `reasons_text`."""
    for candidate in candidates:
        candidate.reasons_text = candidate.reasons_in(language)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Short lists -----------------------------------------------------------------------------


class ParticipantShortlistView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/proposals/participant_shortlist.html"

    def get_context_data(self, **kwargs):
        participant = get_object_or_404(Participant.objects.select_related("postcode"),
                                        pk=self.kwargs["pk"])
        audit(self.request, AuditAction.VIEW, participant)
        entries = selectors.shortlist_for_participant(participant, language=reader_language())
        current = (Proposal.objects.filter(participant=participant)
                   .order_by("-created_at").first())
        return super().get_context_data(participant=participant, entries=entries,
                                        current=current, **kwargs)


class VolunteerShortlistView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/proposals/volunteer_shortlist.html"

    def get_context_data(self, **kwargs):
        volunteer = get_object_or_404(Volunteer.objects.select_related("postcode"),
                                      pk=self.kwargs["pk"])
        audit(self.request, AuditAction.VIEW, volunteer)
        entries = selectors.participants_for_volunteer(volunteer, language=reader_language())
        return super().get_context_data(volunteer=volunteer, entries=entries, **kwargs)


class ProposalCreateView(OrganisationStaffMixin, View):
    """A one-off proposal from the participant's short list (the ticked volunteers)."""

    def post(self, request, pk):
        participant = get_object_or_404(Participant, pk=pk)
        ids = [int(v) for v in request.POST.getlist("volunteer") if v.isdigit()]
        volunteers = list(Volunteer.objects.filter(pk__in=ids))
        try:
            proposal = services.proposal_create_single(participant=participant,
                                                       volunteers=volunteers, by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("proposals:participant_shortlist", pk=participant.pk)
        audit(request, AuditAction.CREATE, proposal)
        messages.success(request, _("The proposal was sent to %(name)s.")
                         % {"name": participant.display_name})
        return redirect("proposals:proposal_detail", pk=proposal.pk)


# Rounds ----------------------------------------------------------------------------------


class RoundListView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/proposals/round_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rounds=selectors.round_list()[:50], **kwargs)

    def post(self, request):
        try:
            proposal_round = services.round_start(organisation=self.organisation,
                                                  by=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            running = selectors.round_running(self.organisation)
            if running is not None:
                return redirect("proposals:round_detail", pk=running.pk)
            return redirect("proposals:round_list")
        audit(request, AuditAction.CREATE, proposal_round)
        messages.success(request, _("The new round is being prepared in the background; "
                                    "this page shows how far it is."))
        return redirect("proposals:round_detail", pk=proposal_round.pk)


class RoundDetailView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/proposals/round_detail.html"

    def get_context_data(self, **kwargs):
        proposal_round = get_object_or_404(ProposalRound, pk=self.kwargs["pk"])
        audit(self.request, AuditAction.VIEW, proposal_round)
        if proposal_round.status == RoundStatus.PREPARING:
            # The background job's progress (the page polls `RoundProgressView`).
            return super().get_context_data(round=proposal_round, proposals=[],
                                            spare_volunteers=[], **kwargs)
        language = reader_language()
        found = list(selectors.round_detail_proposals(proposal_round))
        for proposal in found:
            _with_reasons(proposal.candidates.all(), language)
        spare = []
        if proposal_round.status == "draft":
            spare = (selectors.available_volunteers(proposal_round.organisation_id)
                     .exclude(pk__in=ProposalCandidate.objects.filter(
                         proposal__round=proposal_round).values("volunteer_id"))
                     .select_related("postcode").order_by("first_name", "last_name")[:300])
        return super().get_context_data(round=proposal_round, proposals=found,
                                        spare_volunteers=spare, **kwargs)


class RoundProgressView(OrganisationStaffMixin, View):
    """The progress of a round being prepared, for its page to poll."""

    def get(self, request, pk):
        proposal_round = get_object_or_404(ProposalRound, pk=pk)
        return JsonResponse({
            "status": proposal_round.status,
            "status_label": proposal_round.get_status_display(),
            "stage": proposal_round.stage, "stage_label": proposal_round.get_stage_display(),
            "percent": round(proposal_round.progress),
            "url": reverse("proposals:round_detail", args=[proposal_round.pk]),
        })


class RoundCancelView(OrganisationStaffMixin, View):
    def post(self, request, pk):
        proposal_round = get_object_or_404(ProposalRound, pk=pk)
        proposal_round = services.round_cancel(proposal_round=proposal_round, by=request.user)
        audit(request, AuditAction.CHANGE, proposal_round)
        if proposal_round.status == RoundStatus.PREPARING:
            messages.info(request, _("The round stops at its next step."))
        return redirect("proposals:round_detail", pk=pk)


class RoundSendView(OrganisationStaffMixin, View):
    def post(self, request, pk):
        proposal_round = get_object_or_404(ProposalRound, pk=pk)
        services.round_send(proposal_round=proposal_round, by=request.user)
        audit(request, AuditAction.CHANGE, proposal_round)
        messages.success(request, _("The round was sent."))
        return redirect("proposals:round_detail", pk=pk)


class RoundCandidateView(OrganisationStaffMixin, View):
    """Remove a volunteer from a draft proposal, or swap them for another one."""

    def post(self, request, pk, action):
        candidate = get_object_or_404(ProposalCandidate.objects.select_related("proposal"),
                                      pk=pk)
        round_id = candidate.proposal.round_id
        try:
            if action == "remove":
                services.round_remove_candidate(candidate=candidate)
            elif action == "swap":
                raw = request.POST.get("volunteer", "")
                volunteer = Volunteer.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
                if volunteer is None:
                    raise ValidationError(_("Choose a volunteer of your organisation."))
                services.round_swap_candidate(candidate=candidate, volunteer=volunteer)
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            audit(request, AuditAction.CHANGE, candidate.proposal)
        if round_id:
            return redirect("proposals:round_detail", pk=round_id)
        return redirect("proposals:proposal_detail", pk=candidate.proposal_id)


# Proposals -------------------------------------------------------------------------------


class ProposalOverviewView(OrganisationStaffMixin, TemplateView):
    """Everything in progress: open proposals, calls to make, volunteers to hear from,
    meetings to plan and to follow up, recent matches."""

    template_name = "matching/proposals/overview.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            open_proposals=selectors.proposal_list(
                [ProposalStatus.OPEN, ProposalStatus.CALL_ME, ProposalStatus.CALL_TASK]),
            call_tasks=selectors.open_call_tasks(),
            offers_waiting=selectors.offers_waiting(),
            offers_to_plan=selectors.offers_to_plan(),
            meetings=selectors.meetings_in_progress(),
            matches=selectors.recent_matches(),
            **kwargs)


class ProposalDetailView(OrganisationStaffMixin, TemplateView):
    template_name = "matching/proposals/proposal_detail.html"

    def get_context_data(self, **kwargs):
        proposal = get_object_or_404(selectors.proposal_detail_queryset(), pk=self.kwargs["pk"])
        audit(self.request, AuditAction.VIEW, proposal)
        _with_reasons(proposal.candidates.all(), reader_language())
        offers = list(proposal.offers.all())
        meeting = None
        if offers:
            meeting = IntroductionMeeting.objects.filter(offer__in=offers).first()
        return super().get_context_data(proposal=proposal, offers=offers, meeting=meeting,
                                        language=reader_language(),
                                        channels=[AnswerChannel.PHONE, AnswerChannel.STAFF],
                                        **kwargs)


class ProposalAnswerView(OrganisationStaffMixin, View):
    """The coordinator records the participant's answer given on the phone."""

    def post(self, request, pk):
        proposal = get_object_or_404(Proposal, pk=pk)
        answer = request.POST.get("answer", "")
        try:
            if answer == "none":
                services.proposal_none_of_these(proposal, AnswerChannel.PHONE,
                                                reason=request.POST.get("reason", ""),
                                                recorded_by=request.user)
            elif answer == "call_me":
                services.proposal_call_me(proposal, AnswerChannel.PHONE,
                                          recorded_by=request.user)
            elif answer == "withdraw":
                services.proposal_withdraw(proposal=proposal, by=request.user,
                                           reason=request.POST.get("reason", ""))
            else:
                services.proposal_choose(proposal, answer, AnswerChannel.PHONE,
                                         recorded_by=request.user)
            audit(request, AuditAction.CHANGE, proposal)
            messages.success(request, _("The answer was recorded."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("proposals:proposal_detail", pk=pk)


class OfferAnswerView(OrganisationStaffMixin, View):
    """The coordinator records the volunteer's answer."""

    def post(self, request, pk):
        offer = get_object_or_404(VolunteerOffer, pk=pk)
        try:
            services.offer_answer(offer=offer, accept=request.POST.get("answer") == "accept",
                                  channel=AnswerChannel.STAFF, recorded_by=request.user,
                                  reason=request.POST.get("reason", ""))
            audit(request, AuditAction.CHANGE, offer)
            messages.success(request, _("The answer was recorded."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("proposals:proposal_detail", pk=offer.proposal_id)


class MeetingForm(forms.Form):
    planned_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=gettext_lazy("Where"), max_length=200)


class MeetingPlanView(OrganisationStaffMixin, View):
    def post(self, request, pk):
        offer = get_object_or_404(VolunteerOffer, pk=pk)
        form = MeetingForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Fill in when and where they meet."))
        else:
            try:
                services.meeting_plan(offer=offer, by=request.user, **form.cleaned_data)
                audit(request, AuditAction.CHANGE, offer)
                messages.success(request, _("The introduction meeting is planned."))
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        return redirect("proposals:proposal_detail", pk=offer.proposal_id)


class MeetingRecordView(OrganisationStaffMixin, View):
    """The meeting (or the second one) took place; then each side's answer."""

    def post(self, request, pk, action):
        meeting = get_object_or_404(IntroductionMeeting.objects.select_related("offer"), pk=pk)
        try:
            if action == "held":
                services.meeting_record_held(meeting=meeting, held_on=timezone.localdate())
            elif action == "second-held":
                services.meeting_record_held(meeting=meeting, held_on=timezone.localdate(),
                                             second=True)
            elif action in ("participant", "volunteer"):
                services.meeting_record_answer(meeting=meeting, side=action,
                                               goes_on=request.POST.get("goes_on") == "yes",
                                               by=request.user)
            else:
                raise Http404
            audit(request, AuditAction.CHANGE, meeting)
            messages.success(request, _("Recorded."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("proposals:proposal_detail", pk=meeting.offer.proposal_id)


class CallTaskDoneView(OrganisationStaffMixin, View):
    def post(self, request, pk):
        task = get_object_or_404(ProposalCallTask, pk=pk)
        services.call_task_done(task=task, by=request.user)
        audit(request, AuditAction.CHANGE, task)
        return redirect("proposals:overview")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MatchingSettings
        fields = ["shortlist_size", "weight_interests", "weight_availability",
                  "weight_proximity", "weight_participant_wishes", "weight_volunteer_wishes",
                  "max_distance_km", "reminder_after_days", "call_task_after_days",
                  "link_valid_days", "second_meeting_required"]

    def clean(self):
        data = super().clean()
        reminder, call = data.get("reminder_after_days"), data.get("call_task_after_days")
        if reminder and call and call <= reminder:
            self.add_error("call_task_after_days",
                           _("The call comes after the reminder: choose more days."))
        return data


class SettingsView(OrganisationStaffMixin, View):
    template_name = "matching/proposals/settings.html"

    def get(self, request):
        form = SettingsForm(instance=matching_settings(self.organisation))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = SettingsForm(request.POST, instance=matching_settings(self.organisation))
        if form.is_valid():
            form.save()
            messages.success(request, _("The matching settings were saved."))
            return redirect("proposals:settings")
        return render(request, self.template_name, {"form": form})


# Personal links (no account) --------------------------------------------------------------
# Pages behind notifications' signed links (/s/<token>), registered per purpose in
# MatchingConfig.ready(): notifications resolves the token, opens the link's organisation
# scope and language, and shows its friendly page for a bad, expired or revoked token.


def participant_link_page(request, link):
    """The participant's choice, in their own language, without JavaScript."""
    proposal = (Proposal.objects.select_related("organisation")
                .filter(pk=link_pages.subject_id(link, "proposal")).first())
    link_pages.check_recipient(link, "participant", proposal and proposal.participant_id)
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        try:
            if answer == "none":
                link_pages.spend(link, lambda: services.proposal_none_of_these(
                    proposal, AnswerChannel.LINK, reason=request.POST.get("reason", "")))
            elif answer == "call_me":
                link_pages.spend(link, lambda: services.proposal_call_me(proposal,
                                                                         AnswerChannel.LINK))
            else:
                link_pages.spend(link, lambda: services.proposal_choose(proposal, answer,
                                                            AnswerChannel.LINK))
        except ValidationError as exc:
            proposal.refresh_from_db()
            return _participant_page(request, proposal, error=_error_text(exc), status=409)
        return redirect(request.path)
    return _participant_page(request, proposal)


# The participant's page as it was last rendered, per proposal, state and language: the
# link in an SMS is opened again and again (and by phones that fetch a preview first). The
# key holds the proposal's status and expiry; the page is kept with the organisation's
# versions, which the services move whenever a person's profile, interests or proposals
# change (matching/blocks.py), and is used only while they are current. A few
# minutes at most, so that the organisation's name or phone changed in the admin shows too.
PARTICIPANT_PAGE_SECONDS = 300


def _participant_page(request, proposal, error="", status=200):
    language = reader_language()
    expired = tokens.is_expired(proposal)
    key = version = None
    if not error and request.method == "GET":
        key = (f"matching:participant-page:{proposal.pk}:{proposal.status}:{int(expired)}:"
               f"{language}")
        version, (kept,) = intake_versions.versions(proposal.organisation_id, key)
        # What the whole page depends on, read before anything it shows.
        stamp_keys = intake_versions.version_keys(proposal.organisation_id)
        stamp = cache.get_many(stamp_keys)
        stamp = (stamp_keys, [stamp.get(k) for k in stamp_keys])
        if kept is not None and kept[0] == version:
            response = link_pages.headers(HttpResponse(kept[1]))
            _remember_whole_page(response, proposal, expired, stamp)
            return response
    context = {
        "proposal": proposal, "error": error, "organisation": proposal.organisation,
        "candidates": (selectors.participant_page_candidates(proposal, language)
                       if proposal.is_answerable and not expired else []),
        "expired": expired and proposal.is_answerable,
        "chosen": (proposal.candidates.filter(status=CandidateStatus.CHOSEN)
                   .select_related("volunteer").first()
                   if proposal.status in (ProposalStatus.CHOSEN, ProposalStatus.MATCHED)
                   else None),
        "language": language, **keywords.reply_words(language),
    }
    response = link_pages.page(request, "matching/proposals/participant_page.html", context,
                           status=status)
    if key is not None:
        cache.set(key, (version, response.content.decode()), PARTICIPANT_PAGE_SECONDS)
    if key is not None and status == 200:
        _remember_whole_page(response, proposal, expired, stamp)
    return response


def _remember_whole_page(response, proposal, expired, stamp):
    """The page as it leaves the server is kept too (notifications' short path): while
    the organisation's versions stay, the link works and the answer window does not close."""
    keys, values = stamp
    until = timezone.now() + timedelta(seconds=PARTICIPANT_PAGE_SECONDS)
    if proposal.expires_at and not expired:
        until = min(until, proposal.expires_at)
    link_cache.remember(response, keys=keys, values=values, until=until)


def volunteer_link_page(request, link):
    """The chosen volunteer's answer: accept or decline."""
    offer = (VolunteerOffer.objects.select_related(
        "volunteer", "organisation", "proposal__participant__postcode")
        .filter(pk=link_pages.subject_id(link, "offer")).first())
    link_pages.check_recipient(link, "volunteer", offer and offer.volunteer_id)
    if request.method == "POST":
        try:
            link_pages.spend(link, lambda: services.offer_answer(
                offer=offer, accept=request.POST.get("answer") == "accept",
                channel=AnswerChannel.LINK, reason=request.POST.get("reason", "")))
        except ValidationError as exc:
            offer.refresh_from_db()
            return _volunteer_page(request, offer, error=_error_text(exc), status=409)
        return redirect(request.path)
    return _volunteer_page(request, offer)


def _volunteer_page(request, offer, error="", status=200):
    participant = offer.proposal.participant
    shared = []
    if profile_shared(participant.pk):  # else neither their name nor their interests
        shared = sorted(set(participant.interests.values_list("label_nl", flat=True))
                        & set(offer.volunteer.interests.values_list("label_nl", flat=True)))
    return link_pages.page(request, "matching/proposals/volunteer_page.html", {
        "offer": offer, "error": error, "organisation": offer.organisation,
        "participant_name": name_for_buddy(participant),
        "area": participant.municipality, "shared": shared,
        "expired": offer.status == OfferStatus.ASKED and tokens.is_expired(offer),
    }, status=status)
