"""Also refuse SQLite's INSERT OR REPLACE, which replaces a row without a delete trigger."""

from django.db import migrations


def install(apps, schema_editor):  # noqa: ANN001, ANN201
    from dsvb.web.audit import guards

    guards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_actions")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
