from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .models import Organisation, User


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "contact_phone", "contact_email", "default_language"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "language",
                  "organisation"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation of the user (superusers see all)."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisation_list()


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts of the user's organisation."""

    serializer_class = UserSerializer
    filterset_fields = ["role"]

    def get_queryset(self):
        return selectors.user_list()


class MeView(APIView):
    """Who is logged in, and in which organisation."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)
