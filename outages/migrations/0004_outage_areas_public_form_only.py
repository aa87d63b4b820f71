"""The streets stored on each outage again, in the public form only (outages.streets.areas): the first version
listed whatever an address began with, a customer's name or a node included."""

from django.db import migrations

from outages.streets import areas


def refresh_areas(apps, schema_editor):
    Outage = apps.get_model("outages", "Outage")
    for outage in Outage.objects.select_related("region").iterator():
        towns = [town.strip() for town in outage.region.towns.split(",") if town.strip()]
        outage.areas = areas(outage.points.values_list("address", flat=True), towns)
        outage.save(update_fields=["areas"])


class Migration(migrations.Migration):
    dependencies = [("outages", "0003_outage_reports")]

    operations = [migrations.RunPython(refresh_areas, migrations.RunPython.noop)]
