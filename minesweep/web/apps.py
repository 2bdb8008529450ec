from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "minesweep.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        register_nav("web:home", "工作台", "Home", order=0)
        register_nav("registry:subjects", "主体登记", "Registry", order=60)
        register_nav(
            "audit:events", "审计日志", "Audit trail", (Role.ADMINISTRATOR, Role.LEADERSHIP), order=90
        )
