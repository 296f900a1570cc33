from django.urls import path

from . import views

# Included by matching/intake/urls.py (namespace "matching").
urlpatterns = [
    path("apply/<slug:slug>/", views.PublicApplicationView.as_view(), name="apply"),
    path("apply/<slug:slug>/thanks/", views.thanks, {"kind": "volunteer"},
         name="apply_thanks"),
    path("ask/<slug:slug>/", views.PublicParticipantApplicationView.as_view(), name="ask"),
    path("ask/<slug:slug>/thanks/", views.thanks, {"kind": "participant"}, name="ask_thanks"),
    path("applications/", views.ApplicationListView.as_view(), name="applications"),
    path("applications/poster/", views.ApplicationPosterView.as_view(),
         name="application_poster"),
    path("applications/<int:pk>/<slug:action>/", views.ApplicationActionView.as_view(),
         name="application_action"),
    path("applications/participants/<int:pk>/confirm/",
         views.ParticipantConfirmView.as_view(), name="participant_confirm"),
]
