from django.urls import path

from . import views

# Included by matching/intake/urls.py (namespace "matching").
urlpatterns = [
    path("refer/<str:key>/", views.ReferralView.as_view(), name="refer"),
]
