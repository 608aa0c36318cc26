from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.public"
    label = "public"
