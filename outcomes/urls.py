from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("surveys/<int:pk>/", views.SurveyView.as_view(), name="survey"),
    path("participants/<int:pk>/intake/", views.IntakeSurveyView.as_view(),
         name="intake"),
    path("umbrella/", views.UmbrellaSharingView.as_view(), name="umbrella_sharing"),
    path("<str:role>/<int:pk>/stop/", views.SurveyStopView.as_view(), name="stop"),
]
