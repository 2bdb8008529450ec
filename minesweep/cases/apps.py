from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "minesweep.cases"
    label = "cases"
    verbose_name = "Cases / 案件"
