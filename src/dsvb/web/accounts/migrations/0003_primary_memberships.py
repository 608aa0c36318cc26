"""One membership per existing user, from their role, borough and agency (their primary
membership; saving a user keeps it in step from now on, see accounts/memberships.py)."""

from django.db import migrations


def create_primary(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    Membership.objects.bulk_create(
        Membership(
            user_id=user.pk,
            role=user.role,
            area_code=user.area_code,
            agency=user.agency,
            primary=True,
        )
        for user in User.objects.exclude(role="").exclude(memberships__primary=True)
    )


def remove_primary(apps, schema_editor):
    apps.get_model("accounts", "Membership").objects.filter(primary=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_membership")]

    operations = [migrations.RunPython(create_primary, remove_primary)]
