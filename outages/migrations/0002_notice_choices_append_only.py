from django.db import migrations

# The history of a customer's choice is only ever added to, like the e-invoice consent (customers 0005):
# PostgreSQL refuses any UPDATE or DELETE of a row (TRUNCATE, the test runner's flush, still works);
# SQLite refuses UPDATE only (Django's flush between transactional tests empties tables with DELETE).
POSTGRESQL = """
CREATE FUNCTION outages_noticechoice_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'outages_noticechoice is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER outages_noticechoice_append_only BEFORE UPDATE OR DELETE ON outages_noticechoice
    FOR EACH ROW EXECUTE FUNCTION outages_noticechoice_append_only();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER outages_noticechoice_append_only ON outages_noticechoice;
DROP FUNCTION outages_noticechoice_append_only();
"""
SQLITE = """
CREATE TRIGGER outages_noticechoice_no_update BEFORE UPDATE ON outages_noticechoice
BEGIN SELECT RAISE(ABORT, 'outages_noticechoice is append-only: UPDATE refused'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER outages_noticechoice_no_update;"


def guard(apps, schema_editor, reverse=False):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": (POSTGRESQL, POSTGRESQL_REVERSE), "sqlite": (SQLITE, SQLITE_REVERSE)}.get(vendor)
    if sql:
        schema_editor.execute(sql[1] if reverse else sql[0])


def unguard(apps, schema_editor):
    guard(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [("outages", "0001_outages_and_notices")]

    operations = [migrations.RunPython(guard, unguard)]
