from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "minesweep.documents"
    label = "documents"
    verbose_name = "Documents / 文书"
