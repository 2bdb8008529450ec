from django.urls import path

from minesweep.jobs import views

app_name = "jobs"
urlpatterns = [
    path("jobs/", views.jobs, name="list"),
    path("jobs/<int:pk>/status/", views.status, name="status"),
    path("jobs/<int:pk>/cancel/", views.cancel, name="cancel"),
]
