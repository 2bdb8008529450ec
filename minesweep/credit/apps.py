from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "minesweep.credit"
    label = "credit"
    verbose_name = "Credit blacklist / 信用惩戒"
