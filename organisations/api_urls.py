from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("users", api.UserViewSet, basename="user")
router.register("tokens", api.APITokenViewSet, basename="apitoken")

urlpatterns = [
    path("auth/token/", api.ObtainTokenView.as_view(), name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    *router.urls,
]
