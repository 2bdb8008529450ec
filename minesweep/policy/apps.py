from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "minesweep.policy"
    label = "policy"
    verbose_name = "Policy packs / 政策规则"
