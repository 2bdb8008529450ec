from django.urls import path

from minesweep.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/leads/", views.leads, name="leads"),
    path("cases/leads/<int:pk>/", views.lead_detail, name="lead"),
    path("cases/leads/<int:pk>/files/<int:item>/", views.lead_attachment, name="lead_attachment"),
    path("cases/leads/<int:pk>/<slug:action>/", views.lead_act, name="lead_act"),
    path("cases/", views.cases, name="cases"),
    path("cases/digest/", views.digest, name="digest"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/evidence/<int:item>/", views.evidence_file, name="evidence_file"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_act, name="case_act"),
    path("cases/tasks/", views.tasks, name="tasks"),
    path("cases/tasks/<int:pk>/", views.task_detail, name="task"),
    path("cases/tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("cases/tasks/<int:pk>/proof/", views.task_proof, name="task_proof"),
]
