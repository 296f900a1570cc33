from django.urls import path

from . import views

# Included by matching/intake/urls.py (namespace "matching").
urlpatterns = [
    path("screening/", views.ScreeningBoardView.as_view(), name="screening_board"),
    path("screening/<int:pk>/", views.VolunteerScreeningView.as_view(),
         name="screening_volunteer"),
    path("screening/<int:pk>/references/", views.ReferenceRequestView.as_view(),
         name="screening_reference"),
    path("screening/<int:pk>/certificate/", views.CertificateCopyUploadView.as_view(),
         name="screening_certificate_upload"),
    path("screening/certificates/<int:pk>/", views.CertificateCopyView.as_view(),
         name="screening_certificate"),
]
