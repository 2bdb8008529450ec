from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "minesweep.detection"
    label = "detection"
    verbose_name = "Detection / 监测分析"

    def ready(self) -> None:
        from minesweep.accounts.roles import Role
        from minesweep.web.navigation import register_nav

        register_nav(
            "detection:meter_runs", "用电数据检测", "Meter detection", roles=(Role.ANALYST,), order=60
        )
        register_nav(
            "detection:net_scans", "网络数据检测", "Network detection", roles=(Role.ANALYST,), order=61
        )
