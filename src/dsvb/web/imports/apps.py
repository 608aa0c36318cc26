from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.imports"
    label = "imports"
