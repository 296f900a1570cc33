from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from buddy.api import ErrorSerializer

from . import selectors, services, two_factor
from .models import APIToken, AuditAction, Organisation, User
from .permissions import IsOrganisationAdmin, is_staff_user
from .services import audit_record
from .throttles import LoginAddressThrottle, LoginUsernameThrottle


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "contact_phone", "contact_email", "default_language"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "language",
                  "organisation"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation of the user (superusers see all)."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisation_list()


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts of the user's organisation."""

    serializer_class = UserSerializer
    filterset_fields = ["role"]

    def get_queryset(self):
        return selectors.user_list()


class MeView(APIView):
    """Who is logged in, and in which organisation."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class APITokenSerializer(serializers.ModelSerializer):
    """An API token as listed: what it is for, whose it is, when it expires; never the token."""

    user = serializers.CharField(source="user.username", read_only=True)
    expiry = serializers.DateTimeField(read_only=True, help_text=_("After this, it is refused."))

    class Meta:
        model = APIToken
        fields = ["id", "name", "user", "created", "expiry", "last_used_at"]
        read_only_fields = ["id", "user", "created", "expiry", "last_used_at"]


class APITokenCreatedSerializer(APITokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text=_("The token itself, shown only now: only its hash is stored."),
    )

    class Meta(APITokenSerializer.Meta):
        fields = [*APITokenSerializer.Meta.fields, "token"]


class APITokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    """The organisation's API tokens, one per integration, for organisation admins: make a
    named token (it acts as you, in your organisation, and is shown once), list them, revoke
    one. Tokens expire after API_TOKEN_DAYS days."""

    serializer_class = APITokenSerializer
    permission_classes = [IsOrganisationAdmin]
    filterset_fields = []
    ordering_fields = ["created", "expiry", "last_used_at", "name"]

    def get_queryset(self):
        return selectors.api_token_list()

    @extend_schema(request=APITokenSerializer, responses={201: APITokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = APITokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, plain = services.api_token_create(
            user=request.user, name=serializer.validated_data["name"], request_or_actor=request,
        )
        token.token = plain
        return Response(APITokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, request_or_actor=self.request)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), max_length=150, write_only=True)
    password = serializers.CharField(
        label=_("Password"), max_length=4096, trim_whitespace=False, write_only=True,
        style={"input_type": "password"},
    )
    code = serializers.CharField(
        label=_("Two-factor code"), max_length=16, required=False, allow_blank=True,
        write_only=True,
        help_text=_("The code of the account's authenticator app; needed for coordinators "
                    "and organisation admins when two-factor authentication is required."),
    )
    name = serializers.CharField(
        label=_("Token name"), max_length=100, required=False, allow_blank=True,
        write_only=True,
        help_text=_("What the token is for; a new login with the same name replaces "
                    "that token."),
    )

    def validate(self, attrs):
        user = authenticate(request=self.context.get("request"), username=attrs["username"],
                            password=attrs["password"])
        if not user:
            raise ValidationError(_("Unable to log in with provided credentials."),
                                  code="authorization")
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))
    expiry = serializers.DateTimeField()


class ObtainTokenView(APIView):
    """POST username and password (and, for staff when two-factor is required, a code from
    the authenticator app), get an API token acting as the account (hashed in the database,
    expiring after API_TOKEN_DAYS days; organisation admins see and revoke it).

    Counted by the lock-out like the login page: after too many failures for one username
    from one address, the answer is 429 `locked_out` until the cool-off has passed. The
    code closes the way round the second factor: a password alone gives no token to staff.
    Rate-limited too, per address and per username (429 `throttled`, with Retry-After).
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = [LoginAddressThrottle, LoginUsernameThrottle]
    serializer_class = TokenRequestSerializer
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(request=TokenRequestSerializer, responses={
        200: TokenResponseSerializer,
        400: ErrorSerializer,
        429: OpenApiResponse(ErrorSerializer, description=(
            "Too many tries: `throttled` (rate limit; the Retry-After header says how many "
            "seconds to wait) or `locked_out` (too many failed logins).")),
    })
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes marks the DRF request; its middleware only sees Django's.
            if getattr(request, "axes_locked_out", False):
                request._request.axes_locked_out = True
            serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if settings.REQUIRE_TWO_FACTOR and is_staff_user(user):
            self._check_second_factor(request, user, serializer.validated_data.get("code", ""))
        token, plain = services.api_token_login(
            user=user, name=serializer.validated_data.get("name") or gettext("API login"),
            request=request,
        )
        return Response({"token": plain, "expiry": token.expiry})
    def _check_second_factor(self, request, user, code):
        if not two_factor.has_confirmed_device(user):
            raise ValidationError({"code": [gettext(
                "Set up two-factor authentication by logging in on the website first."
            )]})
        if two_factor.matching_device(user, code) is None:
            audit_record(request_or_actor=request, actor=user, action=AuditAction.LOGIN_FAILURE,
                         subject_ref=user, label=gettext("wrong two-factor code"))
            raise ValidationError({"code": [gettext(
                "Enter the current code of your authenticator app."
            )]})
