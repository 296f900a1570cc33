from django.urls import path

from . import api

# <str:pk>: a malformed id gets the API's JSON 404, not the site's HTML page.
urlpatterns = [
    path("participants/<str:pk>/export/", api.PersonExportAPI.as_view(kind="participant"),
         name="participant-export"),
    path("participants/<str:pk>/erase/", api.PersonEraseAPI.as_view(kind="participant"),
         name="participant-erase"),
    path("volunteers/<str:pk>/export/", api.PersonExportAPI.as_view(kind="volunteer"),
         name="volunteer-export"),
    path("volunteers/<str:pk>/erase/", api.PersonEraseAPI.as_view(kind="volunteer"),
         name="volunteer-erase"),
]
