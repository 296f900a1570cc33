"""The reminders' staff page, at /reminders/ under its own namespace (`reminders:list`)."""

from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("", views.RemindersView.as_view(), name="list"),
]
