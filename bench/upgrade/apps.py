from django.apps import AppConfig


class UpgradeConfig(AppConfig):
    name = "bench.upgrade"
    label = "bench_upgrade"
