from django.urls import path

from minesweep.detection import target_views, views

app_name = "detection"
urlpatterns = [
    path("analytics/meters/", views.meter_runs, name="meter_runs"),
    path("analytics/meters/new/", views.meter_run_new, name="meter_run_new"),
    path("analytics/meters/<int:pk>/", views.meter_run, name="meter_run"),
    path("analytics/meters/<int:pk>/desk-checks/", views.meter_run_desk_checks, name="meter_run_desk_checks"),
    path("analytics/meters/<int:pk>/export.csv", views.meter_run_export, name="meter_run_export"),
    path("analytics/meters/suspects/<int:pk>/", views.meter_suspect, name="meter_suspect"),
    path(
        "analytics/meters/suspects/<int:pk>/<str:name>.png",
        views.meter_suspect_png,
        name="meter_suspect_png",
    ),
    path(
        "analytics/meters/suspects/<int:pk>/promote/",
        views.meter_suspect_promote_view,
        name="meter_suspect_promote",
    ),
    path(
        "analytics/meters/suspects/<int:pk>/desk-check/",
        views.meter_suspect_desk_check,
        name="meter_suspect_desk_check",
    ),
    path("analytics/targets/", target_views.targets, name="targets"),
    path("analytics/targets/promote/", target_views.target_promote_view, name="target_promote"),
    path("analytics/outcomes/", target_views.outcomes, name="outcomes"),
    path("analytics/network/", views.net_scans, name="net_scans"),
    path("analytics/network/new/", views.net_scan_new, name="net_scan_new"),
    path("analytics/network/<int:pk>/", views.net_scan, name="net_scan"),
    path("analytics/network/hosts/<int:pk>/", views.net_host, name="net_host"),
    path("analytics/network/hosts/<int:pk>/pools.png", views.net_host_png, name="net_host_png"),
    path("analytics/network/hosts/<int:pk>/promote/", views.net_host_promote_view, name="net_host_promote"),
]
