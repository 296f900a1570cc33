"""Under accounts/password/reset/, with the URL names Django's views and templates use."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.PasswordResetRequestView.as_view(), name="password_reset"),
    path("sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
]
