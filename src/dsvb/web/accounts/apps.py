from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dsvb.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # connect the receivers that forget a user's cached "has a device" answer (middleware)
        # and keep a user's primary membership in step (memberships)
        from dsvb.web.accounts import memberships, middleware  # noqa: F401
