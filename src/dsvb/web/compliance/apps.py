from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.compliance"
    label = "compliance"
    verbose_name = "Compliance lists"
