from django.urls import path

from . import views
from .conversations import views as conversations
from .groups import views as groups

app_name = "notifications"

urlpatterns = [
    path("", views.MessageListView.as_view(), name="messages"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/done/", views.TaskDoneView.as_view(), name="task-done"),
    path("links/<int:pk>/revoke/", views.LinkRevokeView.as_view(), name="link-revoke"),
    path("usage/", views.UsageView.as_view(), name="usage"),
    path("simulator/", views.SimulatorView.as_view(), name="simulator"),
    path("inbox/", conversations.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/close/", conversations.InboxCloseView.as_view(), name="inbox-close"),
    path("conversation/<str:key>/", conversations.ConversationView.as_view(),
         name="conversation"),
    path("groups/", groups.GroupMessageListView.as_view(), name="groups"),
    path("groups/new/", groups.GroupMessageCreateView.as_view(), name="group-create"),
    path("groups/<int:pk>/", groups.GroupMessageDetailView.as_view(), name="group-detail"),
    path("groups/<int:pk>/cancel/", groups.GroupMessageCancelView.as_view(),
         name="group-cancel"),
]

# Outside the "messages/" prefix: the short public link, and the providers' webhooks.
public_urlpatterns = [
    path("s/<str:token>", views.LinkView.as_view(), name="link"),
    path("sms/<str:provider>/inbound/", views.sms_inbound, name="sms-inbound"),
    path("sms/<str:provider>/status/", views.sms_status, name="sms-status"),
]
