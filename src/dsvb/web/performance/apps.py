from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.performance"
    label = "performance"
    verbose_name = "Performance"
