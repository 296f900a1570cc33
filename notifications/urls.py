from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.MessageListView.as_view(), name="messages"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/done/", views.TaskDoneView.as_view(), name="task-done"),
    path("links/<int:pk>/revoke/", views.LinkRevokeView.as_view(), name="link-revoke"),
    path("usage/", views.UsageView.as_view(), name="usage"),
]

# Outside the "messages/" prefix: the short public link, and the providers' webhooks.
public_urlpatterns = [
    path("s/<str:token>", views.LinkView.as_view(), name="link"),
    path("sms/<str:provider>/inbound/", views.sms_inbound, name="sms-inbound"),
    path("sms/<str:provider>/status/", views.sms_status, name="sms-status"),
]
