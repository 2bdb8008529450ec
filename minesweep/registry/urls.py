from django.urls import path

from minesweep.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.subjects, name="subjects"),
    path("export.csv", views.subjects_export, name="export"),
    path("<int:pk>/", views.subject_detail, name="subject"),
    path("<int:pk>/reveal/", views.subject_reveal, name="reveal"),
]
