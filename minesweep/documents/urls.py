from django.urls import path

from minesweep.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/case/<int:case_pk>/", views.case_page, name="case"),
    path("documents/case/<int:case_pk>/issue/", views.issue, name="issue"),
    path("documents/<int:pk>/download.<str:fmt>", views.download, name="download"),
]
