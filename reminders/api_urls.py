from django.urls import path

from . import api

urlpatterns = [
    path("", api.RemindersOverviewView.as_view(), name="reminders"),
]
