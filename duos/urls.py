from django.urls import path

from . import views

app_name = "duos"

urlpatterns = [
    path("", views.DuoListView.as_view(), name="list"),
    path("follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("<int:pk>/", views.DuoDetailView.as_view(), name="detail"),
    path("<int:pk>/agreement/", views.AgreementEditView.as_view(), name="agreement"),
    path("<int:pk>/agreement/ask/", views.AgreementAskView.as_view(), name="agreement_ask"),
    path("<int:pk>/agreement/phone/", views.AgreementPhoneConfirmView.as_view(),
         name="agreement_phone"),
    path("<int:pk>/check-in/", views.CheckInView.as_view(), name="checkin"),
    path("<int:pk>/answer/", views.ParticipantAnswerView.as_view(), name="answer"),
    path("<int:pk>/evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("<int:pk>/end-answer/", views.EndAnswerView.as_view(), name="end_answer"),
    path("<int:pk>/end/", views.EndView.as_view(), name="end"),
    path("alerts/<int:pk>/resolve/", views.AlertResolveView.as_view(), name="alert_resolve"),
    path("expenses/", views.ExpenseOverviewView.as_view(), name="expenses"),
    path("expenses/export.csv", views.ExpenseExportView.as_view(), {"fmt": "csv"},
         name="expense_export_csv"),
    path("expenses/export.xlsx", views.ExpenseExportView.as_view(), {"fmt": "xlsx"},
         name="expense_export_xlsx"),
    path("expenses/<int:pk>/receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("expenses/<int:pk>/<str:action>/", views.ExpenseActionView.as_view(),
         name="expense_action"),
    path("my/", views.MyDuoView.as_view(), name="my_duo"),
    path("my/<int:pk>/confirm/", views.MyAgreementConfirmView.as_view(),
         name="my_agreement_confirm"),
    path("my/<int:pk>/log/", views.MeetingLogCreateView.as_view(), name="meeting_log"),
]
