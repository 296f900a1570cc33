from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from desk import views as desk_views
from desk.login_link import views as login_link_views
from desk.me import views as me_views
from desk.outcome_report import views as outcome_views
from notifications.urls import public_urlpatterns as notification_public_urls
from organisations import views as organisation_views

from .api import bad_request, server_error
from .health import health

# The API answers its errors in its one JSON shape (buddy/api.py); other pages as Django does.
handler400 = bad_request
handler500 = server_error

api_patterns = [
    path("", include("organisations.api_urls")),
    path("", include("notifications.api_urls")),
    # Short lists and proposals, then intake, the waiting list and recruitment (matching).
    path("", include("matching.proposals.api_urls")),
    path("", include("matching.intake.api_urls")),
    path("coaching/", include("coaching.api_urls")),
    path("duos/", include("duos.api_urls")),
    # A person's rights: export and erasure, for organisation admins.
    path("privacy/", include("desk.privacy.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our own static files, its start-up script from a URL (no inline
    # script); its stylesheet embeds images as data: URIs and it sets inline styles.
    path(
        "docs/",
        csp_update({"img-src": [SELF, "data:"], "style-src": [SELF, UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]

urlpatterns = [
    path("", desk_views.HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    # Password reset (desk: it needs the volunteer's phone and notifications' SMS links).
    path("accounts/password/reset/", include("desk.password_reset.urls")),
    # A volunteer's single-use login link by SMS or e-mail.
    path("accounts/login/link/", login_link_views.LoginLinkRequestView.as_view(),
         name="login_link"),
    path(
        "accounts/two-factor/", organisation_views.TwoFactorVerifyView.as_view(),
        name="two_factor_verify",
    ),
    path(
        "accounts/two-factor/setup/", organisation_views.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path("audit/", organisation_views.AuditLogView.as_view(), name="audit_log"),
    # A volunteer's own page: their details, a break, their hours and expenses.
    path("me/", me_views.MyPageView.as_view(), name="me"),
    path("reports/", desk_views.ReportView.as_view(), name="reports"),
    path("reports/export.<str:file_format>", desk_views.ReportExportView.as_view(),
         name="report_export"),
    path("reports/outcomes/", outcome_views.OutcomeReportView.as_view(),
         name="outcome_report"),
    path("reports/outcomes/export.<str:file_format>",
         outcome_views.OutcomeReportExportView.as_view(), name="outcome_report_export"),
    path("reports/lasting/", outcome_views.LastingView.as_view(), name="lasting"),
    path("reports/umbrella/", outcome_views.UmbrellaView.as_view(), name="umbrella"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("messages/", include("notifications.urls")),
    path("reminders/", include("notifications.reminder_urls")),
    *notification_public_urls,
    # Short lists, proposals and the personal-link pages (matching app), then intake.
    path("", include("matching.proposals.urls")),
    # Intake and the waiting list (matching app).
    path("", include("matching.intake.urls")),
    path("api/", include((api_patterns, "api"))),
    path("coaching/", include("coaching.urls")),
    path("admin/", admin.site.urls),
    path("duos/", include("duos.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("privacy/", include("desk.privacy.urls")),
]

# MEDIA_ROOT is never served, not even with DEBUG: uploaded files (receipts) are personal
# data and go out only through views that check permissions (duos:receipt).
