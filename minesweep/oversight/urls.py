from django.urls import path

from minesweep.oversight import views

app_name = "oversight"
urlpatterns = [
    path("oversight/", views.dashboard, name="dashboard"),
    path("oversight/weekly/", views.weekly, name="weekly"),
    path("oversight/map/", views.map_page, name="map"),
    path("oversight/register.xlsx", views.register_download, name="register_xlsx"),
]
