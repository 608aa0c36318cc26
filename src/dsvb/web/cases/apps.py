from django.apps import AppConfig


class Config(AppConfig):
    name = "dsvb.web.cases"
    label = "cases"
    verbose_name = "Partnership cases"

    def ready(self) -> None:
        # the cases' access actions and audit actions, registered once at start-up
        from dsvb.cases import access  # noqa: F401
        from dsvb.web.cases import audit  # noqa: F401
