from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dsvb.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # connects the receiver that forgets a user's cached "has a device" answer
        from dsvb.web.accounts import middleware  # noqa: F401
