from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "交流互动"
