from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "minesweep.oversight"
    label = "oversight"
    verbose_name = "Oversight / 督查统计"
