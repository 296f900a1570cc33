"""The API of short lists and proposals: thin views over the selectors and services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from buddy.api import ErrorSerializer
from buddy.i18n import reader_language
from matching.intake.models import Participant, Volunteer
from organisations.audit import AuditedViewSetMixin, audit
from organisations.models import AuditAction

from . import selectors, services
from .models import AnswerChannel, Proposal, ProposalCandidate, ProposalRound, VolunteerOffer


class ShortlistEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    municipality = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    waiting_days = serializers.IntegerField(allow_null=True, required=False)



class ParticipantShortlistAPI(APIView):
    """The best available volunteers for a participant, with scores and reasons."""

    @extend_schema(responses=ShortlistEntrySerializer(many=True))
    def get(self, request, pk):
        participant = get_object_or_404(Participant.objects.all(), pk=pk)
        audit(request, AuditAction.VIEW, participant)
        entries = selectors.shortlist_for_participant(participant, language=reader_language())
        return Response(ShortlistEntrySerializer(entries, many=True).data)


class VolunteerShortlistAPI(APIView):
    """The waiting participants who fit a volunteer best."""

    @extend_schema(responses=ShortlistEntrySerializer(many=True))
    def get(self, request, pk):
        volunteer = get_object_or_404(Volunteer.objects.all(), pk=pk)
        audit(request, AuditAction.VIEW, volunteer)
        entries = selectors.participants_for_volunteer(volunteer, language=reader_language())
        return Response(ShortlistEntrySerializer(entries, many=True).data)


class CandidateSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.display_name", read_only=True)

    class Meta:
        model = ProposalCandidate
        fields = ["id", "position", "volunteer", "volunteer_name", "score", "reasons", "status"]


class ProposalSerializer(serializers.ModelSerializer):
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "round", "participant", "status", "sent_at", "reminded_at",
                  "answered_at", "expires_at", "channel", "reason", "candidates"]


class ProposalAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(
        help_text="The candidate's number, \"none\" or \"call_me\".", max_length=10)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


def _refused(exc: DjangoValidationError):
    return Response({"error": {"status": 409, "code": getattr(exc, "code", None) or "refused",
                               "message": " ".join(exc.messages), "fields": {}}},
                    status=status.HTTP_409_CONFLICT)


class ProposalViewSet(AuditedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Proposals; `answer` records the participant's answer given on the phone."""

    serializer_class = ProposalSerializer
    audit_model = Proposal
    audit_actions = {"answer": AuditAction.CHANGE}
    filterset_fields = ["status", "participant", "round"]

    def get_queryset(self):
        return selectors.proposal_list()

    @extend_schema(request=ProposalAnswerSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        proposal = self.get_object()
        data = ProposalAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer, reason = data.validated_data["answer"], data.validated_data.get("reason", "")
        try:
            if answer == "none":
                services.proposal_none_of_these(proposal, AnswerChannel.PHONE, reason=reason,
                                                recorded_by=request.user)
            elif answer == "call_me":
                services.proposal_call_me(proposal, AnswerChannel.PHONE,
                                          recorded_by=request.user)
            else:
                services.proposal_choose(proposal, answer, AnswerChannel.PHONE,
                                         recorded_by=request.user)
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)


class ProposalRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalRound
        fields = ["id", "status", "stage", "progress", "error", "created_at", "sent_at",
                  "waiting_count", "volunteer_count", "total_score"]
        read_only_fields = fields


class ProposalRoundViewSet(AuditedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Proposal rounds: POST starts preparing a new draft round in the background (202; GET
    the round for its stage and progress; 409 `round_running` while another is prepared);
    `cancel` stops one being prepared; `send` sends a reviewed one."""

    serializer_class = ProposalRoundSerializer
    audit_model = ProposalRound
    audit_actions = {"send": AuditAction.CHANGE, "cancel": AuditAction.CHANGE}

    def get_queryset(self):
        return selectors.round_list()

    @extend_schema(request=None, responses={202: ProposalRoundSerializer, 409: ErrorSerializer})
    def create(self, request, *args, **kwargs):
        try:
            proposal_round = services.round_start(organisation=request.user.organisation,
                                                  by=request.user)
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(ProposalRoundSerializer(proposal_round).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=ProposalRoundSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        proposal_round = services.round_cancel(proposal_round=self.get_object(), by=request.user)
        return Response(ProposalRoundSerializer(proposal_round).data)

    @extend_schema(request=None, responses=ProposalRoundSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        proposal_round = services.round_send(proposal_round=self.get_object(), by=request.user)
        return Response(ProposalRoundSerializer(proposal_round).data)


class OfferAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OfferResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class OfferAnswerAPI(APIView):
    """The coordinator records the chosen volunteer's answer."""

    @extend_schema(request=OfferAnswerSerializer, responses=OfferResultSerializer)
    def post(self, request, pk):
        offer = get_object_or_404(VolunteerOffer.objects.all(), pk=pk)
        data = OfferAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            offer = services.offer_answer(offer=offer, accept=data.validated_data["accept"],
                                          channel=AnswerChannel.STAFF, recorded_by=request.user,
                                          reason=data.validated_data.get("reason", ""))
        except DjangoValidationError as exc:
            return _refused(exc)
        audit(request, AuditAction.CHANGE, offer)
        return Response({"id": offer.pk, "status": offer.status})
