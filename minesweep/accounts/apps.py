from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minesweep.accounts"
    label = "accounts"
    verbose_name = "Staff / 工作人员"
