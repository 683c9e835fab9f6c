from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "流动党员信息库"

    def ready(self):
        from . import signals  # noqa: F401
