from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "minesweep.cases"
    label = "cases"
    verbose_name = "Cases / 案件"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        readers = (Role.INVESTIGATOR, Role.INTAKE_OFFICER, Role.LEADERSHIP, Role.ANALYST)
        register_nav("cases:leads", "线索", "Leads", readers, order=20)
        register_nav("cases:cases", "案件", "Cases", readers, order=21)
        register_nav("cases:digest", "我的期限", "My deadlines", (Role.INVESTIGATOR,), order=22)
        register_nav("cases:tasks", "部门任务", "Tasks", (Role.DEPARTMENT_LIAISON, *readers), order=23)
