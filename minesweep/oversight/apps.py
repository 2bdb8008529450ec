from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "minesweep.oversight"
    label = "oversight"
    verbose_name = "Oversight / 督查统计"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        readers = (Role.LEADERSHIP, Role.INVESTIGATOR, Role.INTAKE_OFFICER, Role.ANALYST)
        register_nav("oversight:dashboard", "督查统计", "Oversight", readers, order=80)
        register_nav("oversight:map", "地图", "Map", readers, order=81)
        register_nav("oversight:weekly", "周报台账", "Weekly register", readers, order=81)
