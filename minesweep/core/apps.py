from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minesweep.core"
    label = "core"
    verbose_name = "Core / 核心"
