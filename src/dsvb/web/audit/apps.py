from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dsvb.web.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from dsvb.web.audit import checks, signals  # noqa: F401
