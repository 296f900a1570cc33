from django.urls import include, path

from . import views

app_name = "matching"

urlpatterns = [
    path("waiting-list/", views.WaitingListView.as_view(), name="waiting_list"),
    path("waiting-list/export.<str:file_format>", views.WaitingListExportView.as_view(),
         name="waiting_list_export"),
    path("recruitment/", views.RecruitmentView.as_view(), name="recruitment"),
    path("participants/new/", views.ParticipantCreateView.as_view(), name="participant_create"),
    path("participants/<int:pk>/", views.ParticipantDetailView.as_view(),
         name="participant_detail"),
    path("participants/<int:pk>/edit/", views.ParticipantUpdateView.as_view(),
         name="participant_update"),
    path("participants/<int:pk>/<slug:action>/", views.ParticipantActionView.as_view(),
         name="participant_action"),
    path("volunteers/", views.VolunteerListView.as_view(), name="volunteer_list"),
    path("volunteers/new/", views.VolunteerCreateView.as_view(), name="volunteer_create"),
    path("volunteers/<int:pk>/", views.VolunteerDetailView.as_view(), name="volunteer_detail"),
    path("volunteers/<int:pk>/status/", views.VolunteerStatusView.as_view(),
         name="volunteer_status"),
    path("volunteers/<int:pk>/edit/", views.VolunteerUpdateView.as_view(),
         name="volunteer_update"),
    path("interests/", views.InterestCatalogueView.as_view(), name="interests"),
    path("interests/<int:pk>/edit/", views.InterestUpdateView.as_view(), name="interest_update"),
    path("interests/categories/<int:pk>/edit/", views.InterestCategoryUpdateView.as_view(),
         name="interest_category_update"),
    path("imports/", views.ImportUploadView.as_view(), name="import_upload"),
    path("imports/<int:pk>/", views.ImportJobView.as_view(), name="import_job"),
    path("imports/<int:pk>/status/", views.ImportJobStatusView.as_view(),
         name="import_job_status"),
    # The public application pages and the coordinator's list of applications.
    path("", include("matching.intake.applications.urls")),
    # Screening of volunteers: the board by stage and each volunteer's steps.
    path("", include("matching.intake.screening.urls")),
    # Referrals by partners: each partner's own link.
    path("", include("matching.intake.referrals.urls")),
]
