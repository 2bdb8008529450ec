from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "minesweep.credit"
    label = "credit"
    verbose_name = "Credit blacklist / 信用惩戒"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        register_nav(
            "credit:staff_list",
            "失信名单",
            "Blacklist",
            (Role.INVESTIGATOR, Role.LEADERSHIP, Role.DEPARTMENT_LIAISON, Role.INTAKE_OFFICER),
            order=70,
        )
