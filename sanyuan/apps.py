from django.apps import AppConfig


class SanyuanConfig(AppConfig):
    name = "sanyuan"
    verbose_name = "系统"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
