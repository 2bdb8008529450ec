from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "minesweep.detection"
    label = "detection"
    verbose_name = "Detection / 监测分析"
