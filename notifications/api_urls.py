from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("messages", api.MessageViewSet, basename="message")
router.register("coordinator-tasks", api.CoordinatorTaskViewSet, basename="coordinator-task")

urlpatterns = [
    path("reminders/", api.RemindersOverviewView.as_view(), name="reminders"),
    *router.urls,
]
