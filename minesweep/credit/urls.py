from django.urls import path

from minesweep.credit import views

app_name = "credit"
urlpatterns = [
    path("credit/", views.public_search, name="public"),
    path("credit/staff/", views.staff_list, name="staff_list"),
    path("credit/staff/new/", views.staff_propose, name="staff_propose"),
    path("credit/staff/from-decision/", views.staff_from_decision, name="staff_from_decision"),
    path("credit/staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("credit/staff/<int:pk>/act/", views.staff_act, name="staff_act"),
]
