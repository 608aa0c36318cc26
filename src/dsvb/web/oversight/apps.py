from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.oversight"
    label = "oversight"
    verbose_name = "The board's cycle"

    def ready(self) -> None:
        # the cycle's access actions and audit actions, registered once at start-up
        from dsvb.oversight import access  # noqa: F401
        from dsvb.web.oversight import audit  # noqa: F401
