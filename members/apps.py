from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "流动党员信息库"

    def ready(self):
        from . import middleware, signals  # noqa: F401  (middleware: the login idle clock)
