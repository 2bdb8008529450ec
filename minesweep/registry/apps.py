from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "minesweep.registry"
    label = "registry"
    verbose_name = "Registry / 主体登记"
