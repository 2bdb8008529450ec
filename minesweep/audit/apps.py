from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "minesweep.audit"
    label = "audit"
    verbose_name = "Audit trail / 审计日志"
