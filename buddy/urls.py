from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from organisations import views as organisation_views

from .health import health

api_patterns = [
    path("", include("organisations.api_urls")),
    # Intake, the waiting list, recruitment (matching app).
    path("", include("matching.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", organisation_views.HomeView.as_view(), name="home"),
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
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    # Short lists, proposals and the personal-link pages (matching app), then intake.
    path("", include("matching.proposal_urls")),
    # Intake and the waiting list (matching app).
    path("", include("matching.urls")),
    path("api/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
