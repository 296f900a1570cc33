"""The API of intake and the waiting list: thin serializers and views over the services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations.audit import AuditedViewSetMixin, audit
from organisations.models import AuditAction

from . import exports, imports, selectors, services
from .availability import FULL_WEEK
from .filters import WaitingListFilter
from .forms import FOREIGN_INTEREST
from .models import (
    ConsentPurpose,
    ImportJob,
    ImportKind,
    Interest,
    InterestCategory,
    Participant,
    Volunteer,
)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Looks ids up in the request's organisation only (the queryset is built per request)."""

    def __init__(self, model=None, **kwargs):
        self.model = model
        kwargs.setdefault("error_messages", {"does_not_exist": FOREIGN_INTEREST})
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.all()


class InterestCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = InterestCategory
        fields = ["id", "label_nl", "label_fr", "label_en", "position"]


class InterestSerializer(serializers.ModelSerializer):
    category = ScopedPrimaryKeyRelatedField(
        model=InterestCategory,
        error_messages={"does_not_exist": _("This category is not in your organisation's "
                                            "catalogue.")},
    )
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Interest
        fields = ["id", "category", "key", "label", "label_nl", "label_fr", "label_en",
                  "is_active"]


PROFILE_FIELDS = [
    "id", "first_name", "last_name", "preferred_name", "birth_year", "age_range", "gender",
    "gender_description", "phone", "email", "contact_channel", "message_language", "postcode",
    "municipality", "languages", "interests", "interests_other", "availability", "mobility",
    "childcare", "budget", "created_at", "updated_at",
]


class ProfileSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                  help_text=_("Belgian or Dutch, e.g. 0470 12 34 56; "
                                              "answered in E.164."))
    postcode = serializers.CharField(max_length=8)
    municipality = serializers.CharField(required=False, allow_blank=True, max_length=100)
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    interests = ScopedPrimaryKeyRelatedField(model=Interest, many=True, required=False)
    availability = serializers.IntegerField(
        min_value=0, max_value=FULL_WEEK, required=False,
        help_text=_("Bit day*3+part: Monday=0; morning=0, afternoon=1, evening=2."),
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = instance.phone.as_e164 if instance.phone else ""
        data["postcode"] = instance.postcode.code
        data["municipality"] = instance.postcode.municipality
        return data

    def service_kwargs(self):
        return dict(self.validated_data)


class ParticipantSerializer(ProfileSerializer):
    consents = serializers.MultipleChoiceField(
        choices=ConsentPurpose.choices, write_only=True, required=False,
        help_text=_("Purposes the participant agreed to at intake."),
    )
    buddy_roles = serializers.ListField(child=serializers.CharField(), required=False)
    excluded_areas = serializers.ListField(child=serializers.CharField(), required=False)
    waiting_since = serializers.DateField(required=False)

    class Meta:
        model = Participant
        fields = [
            *PROFILE_FIELDS, "buddy_gender", "buddy_gender_strength", "buddy_age_min",
            "buddy_age_max", "buddy_age_strength", "buddy_lived_experience",
            "buddy_lived_experience_strength", "buddy_roles", "buddy_roles_other",
            "excluded_areas", "excluded_areas_other", "referrer", "referrer_detail",
            "intake_note", "waiting_since", "status", "check_back_on", "withdrawal_reason",
            "last_contact_on", "consents",
        ]
        read_only_fields = ["status", "check_back_on", "withdrawal_reason"]

    def create(self, validated_data):
        request = self.context["request"]
        data = dict(validated_data)
        data["consents"] = list(data.get("consents") or [])
        return services.participant_intake(
            organisation=request.user.organisation, recorded_by=request.user, **data)

    def update(self, instance, validated_data):
        data = dict(validated_data)
        data.pop("consents", None)
        return services.participant_update(participant=instance, **data)


class VolunteerSerializer(ProfileSerializer):
    ready = serializers.BooleanField(read_only=True, source="is_ready")
    free_capacity = serializers.IntegerField(read_only=True)
    certificate_seen = serializers.BooleanField(
        write_only=True, required=False,
        help_text=_("True when the certificate of good conduct (model 2) was seen; its date "
                    "is then required."),
    )

    class Meta:
        model = Volunteer
        fields = [
            *PROFILE_FIELDS, "motivation", "introduction", "capacity", "available_from",
            "available_until", "status", "intake_talk_on", "certificate_seen",
            "certificate_seen_on", "training_done_on", "lived_experience", "wish_gender",
            "wish_gender_strength", "wish_age_min", "wish_age_max", "wish_age_strength",
            "ready", "free_capacity",
        ]
        read_only_fields = ["status"]

    def create(self, validated_data):
        return _as_listed(services.volunteer_intake(
            organisation=self.context["request"].user.organisation, **validated_data))

    def update(self, instance, validated_data):
        return _as_listed(services.volunteer_update(volunteer=instance, **validated_data))


def _as_listed(volunteer):
    """The volunteer as the list reads it, with the free capacity the answer includes."""
    return selectors.volunteer_list().get(pk=volunteer.pk)


class WaitingListEntrySerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="postcode.municipality", read_only=True)
    postcode = serializers.CharField(source="postcode.code", read_only=True)
    days_waiting = serializers.SerializerMethodField()
    fit_count = serializers.SerializerMethodField(
        help_text=_("How many ready volunteers with free capacity could fit (hard rules)."))

    class Meta:
        model = Participant
        fields = ["id", "first_name", "last_name", "preferred_name", "postcode",
                  "municipality", "languages", "interests", "status", "waiting_since",
                  "days_waiting", "last_contact_on", "check_back_on", "fit_count"]

    def get_days_waiting(self, obj) -> int:
        return selectors.days_waiting(obj)

    def get_fit_count(self, obj) -> int:
        return self.context["fit_counts"].get(obj.id, 0)


class OrganisationCreateMixin:
    def create(self, request, *args, **kwargs):
        if request.user.organisation_id is None:
            raise PermissionDenied
        return super().create(request, *args, **kwargs)


class InterestCategoryViewSet(OrganisationCreateMixin, mixins.ListModelMixin,
                              mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                              mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The categories of the organisation's interest catalogue."""

    serializer_class = InterestCategorySerializer

    def get_queryset(self):
        return InterestCategory.objects.order_by("position", "label_nl")

    def perform_create(self, serializer):
        serializer.instance = services.interest_category_save(
            organisation=self.request.user.organisation, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.interest_category_save(
            organisation=self.request.user.organisation, category=serializer.instance,
            **serializer.validated_data)


class InterestViewSet(OrganisationCreateMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The organisation's interest catalogue (labels in Dutch, French and English)."""

    serializer_class = InterestSerializer
    filterset_fields = ["category", "is_active"]

    def get_queryset(self):
        return selectors.interest_list()

    def perform_create(self, serializer):
        serializer.instance = services.interest_save(
            organisation=self.request.user.organisation, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        # A PATCH may leave the category out: the interest keeps the one it has.
        category = data.pop("category", serializer.instance.category)
        serializer.instance = services.interest_save(
            organisation=self.request.user.organisation, interest=serializer.instance,
            category=category, **data)


class DateSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)


class PauseSerializer(serializers.Serializer):
    check_back_on = serializers.DateField()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


_CHANGES = {"pause": AuditAction.CHANGE, "resume": AuditAction.CHANGE,
            "withdraw": AuditAction.CHANGE, "return_to_waiting_list": AuditAction.CHANGE,
            "contact": AuditAction.CHANGE, "mark_ready": AuditAction.CHANGE}


class ParticipantViewSet(AuditedViewSetMixin, OrganisationCreateMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Participants: intake, profile, and the waiting-list changes as actions."""

    audit_model = Participant
    audit_actions = _CHANGES

    serializer_class = ParticipantSerializer
    filterset_fields = ["status"]
    ordering_fields = ["waiting_since", "last_contact_on", "first_name"]

    def get_queryset(self):
        return selectors.participant_list()

    def _answer(self, participant):
        return Response(ParticipantSerializer(participant,
                                              context=self.get_serializer_context()).data)

    @extend_schema(request=PauseSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Pauses at the participant's wish until a check-back date (keeps waiting since)."""
        data = PauseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.participant_pause(
            participant=self.get_object(), **data.validated_data))

    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Ends a pause: waiting again with the original date."""
        return self._answer(services.participant_resume(participant=self.get_object()))

    @extend_schema(request=WithdrawSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The participant leaves for good, with a reason."""
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.participant_withdraw(
            participant=self.get_object(), reason=data.validated_data["reason"]))

    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"], url_path="return-to-waiting-list")
    def return_to_waiting_list(self, request, pk=None):
        """Back on the waiting list (after a duo: with the original date)."""
        return self._answer(services.participant_return_to_waiting_list(
            participant=self.get_object()))

    @extend_schema(request=DateSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """Notes a contact with the participant (today unless `on` is given)."""
        data = DateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.participant_record_contact(
            participant=self.get_object(), on=data.validated_data.get("on")))


class MarkReadySerializer(serializers.Serializer):
    intake_talk_on = serializers.DateField(required=False, allow_null=True)
    certificate_seen_on = serializers.DateField(required=False, allow_null=True)
    training_done_on = serializers.DateField(required=False, allow_null=True)


class VolunteerViewSet(AuditedViewSetMixin, OrganisationCreateMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Volunteers: intake, profile, readiness. `?ready=true` lists those who can be proposed."""

    audit_model = Volunteer
    audit_actions = _CHANGES

    serializer_class = VolunteerSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        queryset = selectors.volunteer_list()
        if self.request.query_params.get("ready") in ("true", "1"):
            queryset = queryset & Volunteer.objects.ready_with_capacity()
        return queryset

    @extend_schema(request=MarkReadySerializer, responses=VolunteerSerializer)
    @action(detail=True, methods=["post"], url_path="mark-ready")
    def mark_ready(self, request, pk=None):
        """Records the intake talk, the certificate (model 2) and the training dates."""
        data = MarkReadySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: data.validated_data.get(k) for k in MarkReadySerializer().fields}
        volunteer = _as_listed(services.volunteer_mark_ready(volunteer=self.get_object(),
                                                            **fields))
        return Response(VolunteerSerializer(volunteer,
                                            context=self.get_serializer_context()).data)


class WaitingListPagination(PageNumberPagination):
    """Pages of the waiting list, with the figures of the whole (filtered) list beside them."""

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["figures"] = {
            "type": "object",
            "properties": {
                "number_waiting": {"type": "integer"},
                "median_days": {"type": "integer", "nullable": True},
                "longest_days": {"type": "integer", "nullable": True},
            },
        }
        response["required"] = [*response.get("required", []), "figures"]
        return response


class WaitingListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The waiting list with its filters, each person's fit count, and the figures."""

    serializer_class = WaitingListEntrySerializer
    filterset_class = WaitingListFilter
    ordering_fields = ["waiting_since", "last_contact_on", "first_name"]

    def get_queryset(self):
        return selectors.participant_list()

    pagination_class = WaitingListPagination

    @extend_schema(responses=WaitingListEntrySerializer(many=True))
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "fit_counts": selectors.fit_counts(rows)}
        data = WaitingListEntrySerializer(rows, many=True, context=context).data
        response = self.get_paginated_response(data) if page is not None else Response(data)
        figures = selectors.waiting_figures()
        response.data["figures"] = {"number_waiting": figures.number_waiting,
                                    "median_days": figures.median_days,
                                    "longest_days": figures.longest_days}
        return response


    def _export(self, request, writer):
        participants = list(self.filter_queryset(self.get_queryset()))
        audit(request, AuditAction.EXPORT, ref="matching.participant:*",
              label=f"waiting list, {len(participants)} rows")
        return writer(participants, selectors.fit_counts(participants))

    @extend_schema(responses={(200, "text/csv"): bytes})
    @action(detail=False, methods=["get"], url_path="export-csv")
    def export_csv(self, request, *args, **kwargs):
        """The filtered waiting list as CSV (semicolons, UTF-8; formulas neutralised)."""
        return self._export(request, exports.waiting_list_csv)

    @extend_schema(responses={(200, exports.XLSX_CONTENT_TYPE): bytes})
    @action(detail=False, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request, *args, **kwargs):
        """The filtered waiting list as XLSX (formulas neutralised)."""
        return self._export(request, exports.waiting_list_xlsx)


class RecruitmentView(APIView):
    """Waiting participants no ready volunteer fits, by interest, language and municipality."""

    @extend_schema(responses=inline_serializer("Recruitment", {
        "waiting": serializers.IntegerField(), "unfitted": serializers.IntegerField(),
        "by_interest": serializers.ListField(), "by_language": serializers.ListField(),
        "by_municipality": serializers.ListField(),
    }))
    def get(self, request, *args, **kwargs):
        result = selectors.recruitment()
        return Response({
            "waiting": result.waiting, "unfitted": result.unfitted,
            "by_interest": [{"name": k, "count": v} for k, v in result.by_interest],
            "by_language": [{"code": k, "count": v} for k, v in result.by_language],
            "by_municipality": [{"name": k, "count": v} for k, v in result.by_municipality],
        }, status=status.HTTP_200_OK)



class ImportJobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.SerializerMethodField()
    file = serializers.FileField(write_only=True, help_text=_("A CSV or XLSX file."))

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "filename", "file", "headers", "mapping", "skip_bad_rows",
                  "only_rows", "resolutions", "decisions", "status", "total_rows",
                  "processed_rows", "progress_percent", "created_count", "report",
                  "created_at"]
        read_only_fields = ["filename", "headers", "mapping", "skip_bad_rows", "only_rows",
                            "resolutions", "decisions", "status", "total_rows",
                            "processed_rows", "created_count", "report"]

    def get_progress_percent(self, job) -> int:
        return imports.progress(job)[1]

    def validate_file(self, upload):
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise serializers.ValidationError(_("Choose a CSV or XLSX file."))
        if upload.size > 5 * 1024 * 1024:
            raise serializers.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ImportCheckSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(), required=False,
        help_text=_("{column name: field}; the suggested mapping when left out."),
    )
    skip_bad_rows = serializers.BooleanField(default=False)
    only_rows = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text=_("Row numbers and ranges, e.g. 2-40, 45; every row when left out."),
    )


class ImportResolveSerializer(serializers.Serializer):
    resolutions = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        required=False,
        help_text=_("{kind: {value as written: what it means}}; kinds: interest (a key, or "
                    "new:<category id>), referrer, language, message_language, municipality "
                    "(a postcode); empty: leave it out."),
    )
    decisions = serializers.DictField(
        child=serializers.CharField(), required=False,
        help_text=_("{row: decision}: both, this or other for a row like an earlier row; "
                    "skip, update or both for a row like a registered person."),
    )


class ImportJobViewSet(AuditedViewSetMixin, OrganisationCreateMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Import of participants or volunteers: upload, check (dry run), commit, progress."""

    audit_model = ImportJob
    audit_actions = {"retrieve": None, "commit": AuditAction.CREATE}

    serializer_class = ImportJobSerializer

    def get_queryset(self):
        return selectors.import_job_list()

    def perform_create(self, serializer):
        upload = serializer.validated_data["file"]
        try:
            serializer.instance = imports.import_job_create(
                organisation=self.request.user.organisation,
                kind=serializer.validated_data.get("kind", ImportKind.PARTICIPANTS),
                filename=upload.name, content=upload.read(), created_by=self.request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc

    @extend_schema(request=ImportCheckSerializer, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Saves the column mapping and runs the dry run; the report lists every bad row."""
        job = self.get_object()
        data = ImportCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mapping = data.validated_data.get("mapping") or job.mapping
        job = imports.import_job_check(job=job, mapping=mapping,
                                       skip_bad_rows=data.validated_data["skip_bad_rows"],
                                       only_rows=data.validated_data.get("only_rows", ""))
        return Response(ImportJobSerializer(job).data)

    @extend_schema(request=ImportResolveSerializer, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Says what unknown values mean and decides on possible duplicates; checks again."""
        job = self.get_object()
        data = ImportResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = imports.import_job_resolve(job=job, **data.validated_data)
        return Response(ImportJobSerializer(job).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Starts the import of a checked file (all or nothing); poll the job for progress."""
        job = imports.import_job_start(job=self.get_object())
        return Response(ImportJobSerializer(self.get_queryset().get(pk=job.pk)).data,
                        status=status.HTTP_202_ACCEPTED)
