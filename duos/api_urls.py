from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("duos", api.DuoViewSet, basename="duo")
router.register("meeting-logs", api.MeetingLogViewSet, basename="meeting-log")
router.register("expenses", api.ExpenseViewSet, basename="expense")
router.register("alerts", api.AlertViewSet, basename="alert")
# The volunteer's own data (IsVolunteer), everything else is for staff.
router.register("my/duos", api.MyDuoViewSet, basename="my-duo")
router.register("my/meeting-logs", api.MyMeetingLogViewSet, basename="my-meeting-log")
router.register("my/expenses", api.MyExpenseViewSet, basename="my-expense")

urlpatterns = [
    path("follow-up/", api.FollowUpView.as_view(), name="duo-follow-up"),
    *router.urls,
]
