"""Database triggers that refuse any UPDATE, DELETE (and TRUNCATE) of audit entries."""

from django.db import migrations


def install(apps, schema_editor):  # noqa: ANN001, ANN201
    from dsvb.web.audit import guards

    guards.install(schema_editor.connection)


def remove(apps, schema_editor):  # noqa: ANN001, ANN201
    from dsvb.web.audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
