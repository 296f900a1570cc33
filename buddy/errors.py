"""Errors reach someone, without personal data.

Sentry when SENTRY_DSN is set (`init_sentry`, with `before_send` and `before_breadcrumb`
scrubbing every event), otherwise a mail to ADMINS (Django's AdminEmailHandler, with
`ExceptionReporter` and `ExceptionReporterFilter` below hiding the request's data).

What is removed: the values of keys that name personal data (`PERSONAL_KEYS`), phone numbers
and e-mail addresses anywhere in a text, and, in free text (exception values, log messages,
breadcrumbs, request data), runs of two or more capitalised words ("Aïcha Benali"), the shape
of a person's name. A single first name in free text is not recognised: code does not put
names in messages; this catches the ones that slip through.
"""

import re
from email.utils import getaddresses
from urllib.parse import parse_qsl, urlencode

import sentry_sdk
from django.views.debug import ExceptionReporter as DjangoExceptionReporter
from django.views.debug import SafeExceptionReporterFilter
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

REMOVED = "[removed]"

PERSONAL_KEYS = frozenset({
    "first_name", "last_name", "preferred_name", "full_name", "display_name", "name", "names",
    "phone", "phone_number", "mobile", "email", "e_mail", "username", "user", "address",
    "street", "postcode", "postal_code", "city", "note", "notes", "comment", "comments",
    "body", "birth_date", "date_of_birth", "iban", "ip_address", "remote_addr", "password",
    "token", "authorization", "cookie", "cookies", "db.params", "sessionid", "csrftoken",
})
# Sentry's own contexts describe the machine, not a person (their "name" is "CPython").
SDK_CONTEXTS = frozenset({"runtime", "os", "trace", "device", "browser", "app"})

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +32 470 12 34 56, 0032470123456, 0470/12.34.56, 02 123 45 67, +44 (0)20 7946 0958: a digit run
# with spaces, dots, slashes, dashes or brackets between; its digit count decides (below).
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|\b0)\d(?:[\s./()-]{0,2}\d){6,16}(?!\w)")
# Two or more capitalised words in a row, with Dutch and French particles between them.
_WORD = r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
# Any capital letter (É, Ç, Ş, Ł...), not only A-Z: names are not all Dutch.
_CAPITAL = "[" + "".join(re.escape(chr(c)) for c in range(0x2FF) if chr(c).isupper()) + "]"
NAME_RE = re.compile(
    rf"\b{_CAPITAL}{_WORD}(?:\s+(?:(?:van|von|de|der|den|du|la|le|el|ben|bin|ter|ten)\s+)*"
    rf"{_CAPITAL}{_WORD})+"
)


def _is_phone(match: re.Match) -> bool:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    if digits.startswith("00"):
        return 10 <= len(digits) <= 17
    # Belgian national numbers: 9 digits (fixed lines) or 10 (mobiles); not a date 04/12/2026.
    return len(digits) in (9, 10) and not re.fullmatch(r"\d{2}[/.-]\d{2}[/.-]\d{4}", text)


def scrub_text(text: str, names: bool = True) -> str:
    """The text with its e-mail addresses, phone numbers and (if `names`) names removed."""
    text = EMAIL_RE.sub(REMOVED, text)
    text = PHONE_RE.sub(lambda m: REMOVED if _is_phone(m) else m.group(), text)
    if names:
        text = NAME_RE.sub(REMOVED, text)
    return text


def is_personal_key(key) -> bool:
    normal = str(key).strip().lower().replace("-", "_")
    return (
        normal in PERSONAL_KEYS
        or normal.endswith(("_name", "_phone", "_email", "_address", "_note", "_notes"))
        or "phone" in normal
        or "email" in normal
    )


def scrub(value, names: bool = True):
    """Any JSON-like value with personal keys' values replaced and its texts scrubbed."""
    if isinstance(value, dict):
        return {
            key: REMOVED if is_personal_key(key) else scrub(item, names)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item, names) for item in value]
    if isinstance(value, str):
        return scrub_text(value, names)
    return value


def _scrub_query_string(query):
    if isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=True)
        return urlencode([(k, REMOVED if is_personal_key(k) else scrub_text(v)) for k, v in pairs],
                         safe="[]")
    return scrub(query)


def _scrub_request(request: dict) -> dict:
    request = dict(request)
    request.pop("cookies", None)
    if "data" in request:
        data = request["data"]
        request["data"] = scrub(data) if isinstance(data, (dict, list)) else (
            scrub_text(data) if isinstance(data, str) else data)
    if "query_string" in request:
        request["query_string"] = _scrub_query_string(request["query_string"])
    for part in ("headers", "env"):
        if isinstance(request.get(part), dict):
            request[part] = scrub(request[part], names=False)
    if isinstance(request.get("url"), str):
        request["url"] = scrub_text(request["url"], names=False)
    return request


def _scrub_frames(container: dict) -> None:
    for frame in (container.get("stacktrace") or {}).get("frames") or []:
        frame.pop("vars", None)


def before_breadcrumb(crumb, hint=None):
    """sentry_sdk's `before_breadcrumb`: a breadcrumb without personal data."""
    crumb = dict(crumb)
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub_text(crumb["message"])
    if "data" in crumb:
        crumb["data"] = scrub(crumb["data"])
    return crumb


def before_send(event, hint=None):
    """sentry_sdk's `before_send`: the event without personal data, wherever it sat."""
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    for part in ("extra", "tags"):
        if part in event:
            event[part] = scrub(event[part])
    if isinstance(event.get("contexts"), dict):
        event["contexts"] = {
            key: value if key in SDK_CONTEXTS else scrub(value)
            for key, value in event["contexts"].items()
        }
    if isinstance(event.get("user"), dict):
        # Only the id helps to find a person's errors without naming them.
        event["user"] = {k: v for k, v in event["user"].items() if k == "id"}
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict) and isinstance(breadcrumbs.get("values"), list):
        breadcrumbs["values"] = [before_breadcrumb(c) for c in breadcrumbs["values"]]
    elif isinstance(breadcrumbs, list):
        event["breadcrumbs"] = [before_breadcrumb(c) for c in breadcrumbs]
    for part in ("exception", "threads"):
        for item in (event.get(part) or {}).get("values") or []:
            if isinstance(item.get("value"), str):
                item["value"] = scrub_text(item["value"])
            _scrub_frames(item)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        if isinstance(logentry.get("message"), str):
            logentry["message"] = scrub_text(logentry["message"])
        # The arguments of a log call are where names hide (lower-case, alone): never sent.
        if logentry.get("params"):
            logentry["params"] = [REMOVED for _ in logentry["params"]]
        logentry.pop("formatted", None)
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    return event


def init_sentry(dsn: str, environment: str = "", release: str = "",
                traces_sample_rate: float = 0.0, **options) -> None:
    """Starts sentry_sdk for Django and Celery; every event passes `before_send` first."""
    sentry_sdk.init(
        dsn=dsn,
        **options,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # Local variables of a frame hold participants and volunteers: never sent.
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        # A traced request (traces_sample_rate above 0) carries its request data too.
        before_send_transaction=before_send,
        before_breadcrumb=before_breadcrumb,
    )


def parse_admins(value: str) -> list[tuple[str, str]]:
    """`"Els Peeters <els@example.org>, ops@example.org"` as Django's ADMINS."""
    return [(name or address, address) for name, address in getaddresses([value]) if address]


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter hides settings; this one hides every POST field and local variable too."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "REMOTE_ADDR", "HTTP_X_FORWARDED_FOR"):
            if key in meta:
                meta[key] = self.cleansed_substitute
        return meta


class ExceptionReporter(DjangoExceptionReporter):
    """The error report (admins' mail) without the query's values, the user or names."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        substitute = self.filter.cleansed_substitute
        if data.get("request_GET_items") is not None:
            data["request_GET_items"] = [(k, substitute) for k, _ in data["request_GET_items"]]
        if data.get("user_str"):
            user = getattr(self.request, "user", None)
            data["user_str"] = f"id {user.pk}" if getattr(user, "pk", None) else substitute
        if data.get("exception_value"):
            data["exception_value"] = scrub_text(str(data["exception_value"]))
        if self.request is not None:
            data["request_insecure_uri"] = self.request.build_absolute_uri(self.request.path)
        return data
