from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.linkage"
    label = "linkage"
    verbose_name = "Linked people"

    def ready(self) -> None:
        # the linkage's access actions and audit actions, registered once at start-up
        from dsvb.linkage import access  # noqa: F401
        from dsvb.web.linkage import audit  # noqa: F401
