from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("interest-categories", api.InterestCategoryViewSet,
                basename="interest-category")
router.register("interests", api.InterestViewSet, basename="interest")
router.register("participants", api.ParticipantViewSet, basename="participant")
router.register("volunteers", api.VolunteerViewSet, basename="volunteer")
router.register("waiting-list", api.WaitingListViewSet, basename="waiting-list")
router.register("imports", api.ImportJobViewSet, basename="import")

urlpatterns = [
    path("recruitment/", api.RecruitmentView.as_view(), name="recruitment"),
    *router.urls,
]
