from django.urls import path

from minesweep.reports import views

app_name = "reports"

urlpatterns = [
    path("report/", views.submit, name="submit"),
    path("report/follow-up/", views.follow_up, name="follow_up"),
    path("report/follow-up/message/", views.follow_up_message, name="follow_up_message"),
    path("intake/", views.queue, name="queue"),
    path("intake/new/", views.officer_entry, name="officer_entry"),
    path("intake/notifications/", views.notifications, name="notifications"),
    path("intake/r/<str:number>/", views.detail, name="detail"),
    path("intake/r/<str:number>/contact/", views.reveal_contact, name="reveal_contact"),
    path("intake/r/<str:number>/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("intake/r/<str:number>/<str:action>/", views.triage, name="triage"),
]
