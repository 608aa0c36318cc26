"""Database triggers that refuse any UPDATE, DELETE (and TRUNCATE) of audit entries."""

from django.db import migrations


def install(apps, schema_editor):  # noqa: ANN001, ANN201
    from dsvb.web.audit import guards

    guards.install(schema_editor.connection)


def refuse(apps, schema_editor):  # noqa: ANN001, ANN201
    """Reversing this would drop the guards (``migrate audit 0001``): refused."""
    from dsvb.web.audit import guards

    guards.refuse_reversal(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, refuse)]
