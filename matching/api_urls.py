from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, proposal_api

router = DefaultRouter()
router.include_root_view = False
router.register("interest-categories", api.InterestCategoryViewSet,
                basename="interest-category")
router.register("interests", api.InterestViewSet, basename="interest")
router.register("participants", api.ParticipantViewSet, basename="participant")
router.register("volunteers", api.VolunteerViewSet, basename="volunteer")
router.register("waiting-list", api.WaitingListViewSet, basename="waiting-list")
router.register("imports", api.ImportJobViewSet, basename="import")
# Short lists and proposals (matching/proposal_api.py).
router.register("proposals", proposal_api.ProposalViewSet, basename="proposal")
router.register("proposal-rounds", proposal_api.ProposalRoundViewSet, basename="proposal-round")

urlpatterns = [
    path("recruitment/", api.RecruitmentView.as_view(), name="recruitment"),
    path("participants/<int:pk>/shortlist/", proposal_api.ParticipantShortlistAPI.as_view(),
         name="participant-shortlist"),
    path("volunteers/<int:pk>/shortlist/", proposal_api.VolunteerShortlistAPI.as_view(),
         name="volunteer-shortlist"),
    path("volunteer-offers/<int:pk>/answer/", proposal_api.OfferAnswerAPI.as_view(),
         name="volunteer-offer-answer"),
    *router.urls,
]
