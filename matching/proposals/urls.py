"""URLs of short lists, proposal rounds and proposals (the personal-link pages are
notifications' signed links, registered in MatchingConfig.ready())."""

from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("participants/<int:pk>/shortlist/", views.ParticipantShortlistView.as_view(),
         name="participant_shortlist"),
    path("participants/<int:pk>/propose/", views.ProposalCreateView.as_view(),
         name="proposal_create"),
    path("volunteers/<int:pk>/shortlist/", views.VolunteerShortlistView.as_view(),
         name="volunteer_shortlist"),
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/send/", views.RoundSendView.as_view(), name="round_send"),
    path("rounds/<int:pk>/progress/", views.RoundProgressView.as_view(),
         name="round_progress"),
    path("rounds/<int:pk>/cancel/", views.RoundCancelView.as_view(), name="round_cancel"),
    path("rounds/candidates/<int:pk>/<slug:action>/", views.RoundCandidateView.as_view(),
         name="round_candidate"),
    path("proposals/", views.ProposalOverviewView.as_view(), name="overview"),
    path("proposals/settings/", views.SettingsView.as_view(), name="settings"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path("proposals/<int:pk>/answer/", views.ProposalAnswerView.as_view(),
         name="proposal_answer"),
    path("proposals/offers/<int:pk>/answer/", views.OfferAnswerView.as_view(),
         name="offer_answer"),
    path("proposals/offers/<int:pk>/meeting/", views.MeetingPlanView.as_view(),
         name="meeting_plan"),
    path("proposals/meetings/<int:pk>/<slug:action>/", views.MeetingRecordView.as_view(),
         name="meeting_record"),
    path("proposals/call-tasks/<int:pk>/done/", views.CallTaskDoneView.as_view(),
         name="call_task_done"),
]
