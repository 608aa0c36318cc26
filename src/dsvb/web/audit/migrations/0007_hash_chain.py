"""The hash chain: number every entry, chain the entries made before it, and keep the guards.

The backfill must write the new columns of existing entries, which the guards refuse: it lifts
the row guards inside this migration's single transaction, chains the entries in the order they
were made (id), and re-installs the guards before the transaction commits, so no other
connection ever sees the log unguarded. The reverse is refused (it would drop the chain).
"""

import django.utils.timezone
from django.db import migrations, models


def chain_existing(apps, schema_editor):  # noqa: ANN001, ANN201
    from django.db import transaction

    from dsvb.web.audit import chain, guards

    connection = schema_editor.connection
    AuditEvent = apps.get_model("audit", "AuditEvent")  # noqa: N806
    rows = list(
        AuditEvent.objects.using(connection.alias).order_by("id").values("id", *chain.HASHED[1:])
    )
    previous, head = chain.GENESIS, None
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for sql in guards.lifted(connection):
            cursor.execute(sql)
        # the values as the database holds them (as verification reads them)
        for seq, row in enumerate(rows, start=1):
            row["seq"] = seq
            value = chain.digest(row, previous)
            cursor.execute(
                "UPDATE audit_auditevent SET seq = %s, prev_digest = %s, digest = %s "
                "WHERE id = %s",
                [seq, previous, value, row["id"]],
            )
            previous, head = value, seq
        guards.install(connection)
        if head is not None:
            transaction.on_commit(
                lambda: chain.witness_append(head, previous), using=connection.alias
            )


def refuse(apps, schema_editor):  # noqa: ANN001, ANN201
    from dsvb.web.audit import guards

    guards.refuse_reversal(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_release_published")]

    operations = [
        # the recorder sets the time itself, before hashing it (was auto_now_add); nothing
        # changes in the database (an AlterField would rebuild the table on SQLite)
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="at",
                    field=models.DateTimeField(
                        blank=True,
                        db_index=True,
                        default=django.utils.timezone.now,
                        editable=False,
                    ),
                )
            ]
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_digest",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("seq__isnull", False)),
                fields=("seq",),
                name="audit_seq_unique",
            ),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        # last, so that a reversal is refused before anything is undone
        migrations.RunPython(migrations.RunPython.noop, refuse),
    ]
