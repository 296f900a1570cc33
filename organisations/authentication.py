"""API tokens: django-rest-knox's hashed, expiring tokens, one per integration.

The header stays `Authorization: Token <token>`. A token acts as the user who made it, in
that user's organisation (the scope middleware opens it); a token whose user has moved to
another organisation, or left, is refused. When a token was used is kept, written at most
once a minute so that a busy integration does not cost a write per request.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from .models import APIToken

LAST_USED_EVERY = timedelta(minutes=1)


class APITokenAuthentication(TokenAuthentication):
    # The scope middleware authenticates the token first (organisations.middleware); DRF's
    # second look at the same request reuses its answer instead of querying again.
    CACHED = "_buddy_api_token_auth"

    def authenticate(self, request):
        django_request = getattr(request, "_request", request)
        cached = getattr(django_request, self.CACHED, None)
        if cached is not None:
            return cached
        result = super().authenticate(request)
        if result is not None:
            setattr(django_request, self.CACHED, result)
        return result

    def validate_user(self, auth_token: APIToken):
        user, token = super().validate_user(auth_token)
        if user.organisation_id != token.organisation_id and not user.is_superuser:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token


class APITokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of the tokens (drf-spectacular knows knox's class only)."""

    target_class = APITokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None),
        )
        scheme["description"] = (
            "A named API token made by an organisation admin (POST /api/tokens/) or by "
            "POST /api/auth/token/: `Authorization: Token <token>`. Tokens are stored hashed, "
            "expire (API_TOKEN_DAYS) and can be revoked."
        )
        return scheme
