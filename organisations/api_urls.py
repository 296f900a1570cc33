from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("users", api.UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    *router.urls,
]
