from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "minesweep.jobs"
    label = "jobs"
    verbose_name = "Background jobs / 后台任务"
