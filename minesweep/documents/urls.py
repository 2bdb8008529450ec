from django.urls import path

from minesweep.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/case/<int:case_pk>/", views.case_page, name="case"),
    path("documents/case/<int:case_pk>/issue/", views.issue, name="issue"),
    path("documents/<int:pk>/download.<str:fmt>", views.download, name="download"),
    path("documents/acts/<int:pk>/scan", views.paper_scan, name="paper_scan"),
]
