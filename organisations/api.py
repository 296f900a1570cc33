from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import selectors, two_factor
from .models import AuditAction, Organisation, User
from .permissions import is_staff_user
from .services import audit_record


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


class TokenRequestSerializer(AuthTokenSerializer):
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


class ObtainTokenView(ObtainAuthToken):
    """POST username and password (and, for staff when two-factor is required, a code from
    the authenticator app), get the account's API token.

    Counted by the lock-out like the login page: after too many failures for one username
    from one address, the answer is 429 `locked_out` until the cool-off has passed. The
    code closes the way round the second factor: a password alone gives no token to staff.
    """

    serializer_class = TokenRequestSerializer
    # DRF's token view names its own parsers; use the project's (see buddy/parsers.py).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the DRF request; its middleware only sees Django's.
            if getattr(request, "axes_locked_out", False):
                request._request.axes_locked_out = True
            serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if settings.REQUIRE_TWO_FACTOR and is_staff_user(user):
            self._check_second_factor(request, user, serializer.validated_data.get("code", ""))
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(request_or_actor=request, actor=user, action=AuditAction.LOGIN_SUCCESS,
                     subject_ref=f"organisations.user:{user.pk}", label=gettext("API token"))
        return Response({"token": token.key})

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
