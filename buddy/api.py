"""The API's one error shape: {"error": {"status", "code", "message", "fields"}}."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django_scopes.exceptions import ScopeError
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from organisations.scoping import all_organisations


class ScopedAutoSchema(AutoSchema):
    """Builds the schema outside any request: views' querysets are read for their model only,
    never evaluated, so lifting the organisation scope here shows no data."""

    def get_operation(self, *args, **kwargs):
        with all_organisations():
            return super().get_operation(*args, **kwargs)


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """Documented in the OpenAPI schema; every error answer of the API has this shape."""

    error = ErrorBodySerializer()


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = gettext_lazy("The data sent is too large.")


def error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "code": code, "message": message,
                                   "fields": {}}}, status=status)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception, *args, **kwargs):
    """Django's handler400: for the API, its error shape; a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    (RequestDataTooBig, raised wherever the body is first read) is a 413."""
    if not _is_api(request):
        return defaults.bad_request(request, exception, *args, **kwargs)
    if isinstance(exception, RequestDataTooBig):
        too_large = RequestTooLarge()
        return error_response(413, too_large.default_code, str(too_large.detail))
    return error_response(400, "bad_request", _("The request could not be understood."))


def server_error(request, *args, **kwargs):
    """Django's handler500: for the API, its error shape, without a traceback."""
    if not _is_api(request):
        return defaults.server_error(request, *args, **kwargs)
    return error_response(500, "error", _("Something went wrong on our side. The team is told."))


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: [str(m) for m in _as_list(value)] for key, value in detail.items()}
    return {}


def _as_list(value):
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(_as_list(item) if isinstance(item, (list, tuple)) else [item])
        return out
    if isinstance(value, dict):
        return [f"{k}: {', '.join(map(str, _as_list(v)))}" for k, v in value.items()]
    return [value]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    # Django's 404 (get_object_or_404) says which model was looked for; the API says only
    # `not_found`, as for a row outside the scope.
    if isinstance(exc, ScopeError | Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    fields = _flatten(detail) if isinstance(exc, exceptions.ValidationError) else {}
    if isinstance(exc, exceptions.ValidationError):
        message = _("The data sent is not valid.")
        code = "invalid"
        if isinstance(detail, list):
            fields = {"non_field_errors": [str(m) for m in _as_list(detail)]}
    else:
        message = str(detail) if detail is not None else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
    response.data = {
        "error": {"status": response.status_code, "code": code, "message": message,
                  "fields": fields}
    }
    return response
