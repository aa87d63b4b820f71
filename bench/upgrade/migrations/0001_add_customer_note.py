from django.db import migrations


class Migration(migrations.Migration):
    """Succeeds: a new nullable column, which the running (older) code does not read."""

    dependencies = [("customers", "__latest__")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE customers_customer ADD COLUMN upgrade_note text",
            "ALTER TABLE customers_customer DROP COLUMN upgrade_note",
        )
    ]
