from django.apps import AppConfig


class HometownConfig(AppConfig):
    name = "hometown"
    verbose_name = "家乡情：困难帮扶与后援团"
