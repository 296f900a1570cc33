from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("proposals", api.ProposalViewSet, basename="proposal")
router.register("proposal-rounds", api.ProposalRoundViewSet, basename="proposal-round")

urlpatterns = [
    path("participants/<int:pk>/shortlist/", api.ParticipantShortlistAPI.as_view(),
         name="participant-shortlist"),
    path("volunteers/<int:pk>/shortlist/", api.VolunteerShortlistAPI.as_view(),
         name="volunteer-shortlist"),
    path("volunteer-offers/<int:pk>/answer/", api.OfferAnswerAPI.as_view(),
         name="volunteer-offer-answer"),
    *router.urls,
]
