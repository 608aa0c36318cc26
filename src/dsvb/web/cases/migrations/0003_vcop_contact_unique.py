"""One row per monthly update owed: duplicates left by concurrent page views before the
fix are removed (the one made kept, else the oldest), then the constraint is added."""

from django.db import migrations, models


def remove_duplicate_updates(apps, schema_editor):
    VictimContact = apps.get_model("cases", "VictimContact")
    kept: set = set()
    rows = VictimContact.objects.filter(reason="update").order_by("case_id", "due_at", "pk")
    for c in sorted(rows, key=lambda c: (c.case_id, c.due_at, c.made_at is None, c.pk)):
        key = (c.case_id, c.due_at)
        if key in kept:
            c.delete()
        else:
            kept.add(key)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_deleted_records")]

    operations = [
        migrations.RunPython(remove_duplicate_updates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="victimcontact",
            constraint=models.UniqueConstraint(
                condition=models.Q(reason="update"),
                fields=("case", "reason", "due_at"),
                name="vcop_update_unique",
            ),
        ),
    ]
