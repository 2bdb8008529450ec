from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "minesweep.jobs"
    label = "jobs"
    verbose_name = "Background jobs / 后台任务"

    def ready(self) -> None:
        from django.conf import settings

        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        register_nav("jobs:list", "后台任务", "Jobs", roles=(Role.ANALYST, Role.LEADERSHIP), order=85)

        # Off by default: management commands and tests must not grow a worker thread. ``minesweep serve``
        # (or a deployment's WSGI start-up) turns it on with MINESWEEP_JOBS_IN_PROCESS=1.
        if settings.JOBS_IN_PROCESS:
            from minesweep.jobs.worker import start_background_worker

            start_background_worker()
