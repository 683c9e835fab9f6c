from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "学习培训资源库"

    def ready(self):
        from . import signals  # noqa: F401
