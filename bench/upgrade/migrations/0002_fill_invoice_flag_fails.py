from django.db import migrations


def fill(apps, schema_editor):
    schema_editor.execute("UPDATE invoices_invoice SET upgrade_flag = (gross > 0)")
    raise RuntimeError("deliberate failure of the upgrade test: a data migration met data it did not expect")


class Migration(migrations.Migration):
    """Fails after a schema change and a data change: on PostgreSQL both are rolled back with it."""

    dependencies = [("bench_upgrade", "0001_add_customer_note"), ("invoices", "__latest__")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE invoices_invoice ADD COLUMN upgrade_flag boolean",
            "ALTER TABLE invoices_invoice DROP COLUMN upgrade_flag",
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
