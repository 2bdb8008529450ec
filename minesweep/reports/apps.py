from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "minesweep.reports"
    label = "reports"
    verbose_name = "Reports / 举报"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        readers = (Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.LEADERSHIP)
        register_nav("reports:queue", "举报受理", "Intake queue", readers, order=20)
        register_nav("reports:notifications", "举报通知", "Report notices", readers, order=21)
