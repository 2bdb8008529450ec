from django.urls import path

from minesweep.web import views

app_name = "web"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("staff/", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
]
