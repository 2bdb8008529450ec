from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "minesweep.documents"
    label = "documents"
    verbose_name = "Documents / 文书"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        register_nav(
            "documents:list",
            "文书",
            "Documents",
            (Role.INVESTIGATOR, Role.LEADERSHIP, Role.INTAKE_OFFICER, Role.ANALYST),
            order=45,
        )
