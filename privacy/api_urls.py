from django.urls import path

from . import api

urlpatterns = [
    path("participants/<int:pk>/export/", api.PersonExportAPI.as_view(kind="participant"),
         name="participant-export"),
    path("participants/<int:pk>/erase/", api.PersonEraseAPI.as_view(kind="participant"),
         name="participant-erase"),
    path("volunteers/<int:pk>/export/", api.PersonExportAPI.as_view(kind="volunteer"),
         name="volunteer-export"),
    path("volunteers/<int:pk>/erase/", api.PersonEraseAPI.as_view(kind="volunteer"),
         name="volunteer-erase"),
]
