from django.urls import path

from . import views, volunteer_views

app_name = "coaching"

urlpatterns = [
    path("sessions/", views.SessionListView.as_view(), name="session_list"),
    path("my/", volunteer_views.MyInvitationsView.as_view(), name="my_invitations"),
    path("my/<int:pk>/answer/", volunteer_views.MyInvitationAnswerView.as_view(),
         name="my_invitation_answer"),
    path("sessions/new/", views.SessionCreateView.as_view(), name="session_create"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.SessionCancelView.as_view(),
         name="session_cancel"),
    path("sessions/<int:pk>/invite/", views.SessionInviteView.as_view(),
         name="session_invite"),
    path("sessions/<int:pk>/invite-one/", views.SessionInviteOneView.as_view(),
         name="session_invite_one"),
    path("sessions/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("sessions/<int:pk>/notes/", views.SessionNoteView.as_view(), name="session_note"),
    path("invitations/<int:pk>/answer/", views.InvitationAnswerView.as_view(),
         name="invitation_answer"),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("training/", views.TrainingListView.as_view(), name="training_list"),
    path("training/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("support/", views.SupportView.as_view(), name="support"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
]
