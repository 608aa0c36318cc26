from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dsvb.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
