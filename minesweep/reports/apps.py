from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "minesweep.reports"
    label = "reports"
    verbose_name = "Reports / 举报"
