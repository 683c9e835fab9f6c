from django.apps import AppConfig


class SanyuanConfig(AppConfig):
    name = "sanyuan"
    verbose_name = "系统"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            respcache,
        )

        connection_created.connect(respcache.install, dispatch_uid="sanyuan.respcache")
