"""The two billing regions eBOK serves. Later changes to seller data are made in the admin."""

from django.db import migrations

SELLER = {
    "seller_name": "Spółka Ciepłowniczo-Energetyczna Jaworzno III Sp. z o.o.",
    "seller_nip": "6320000068",
    "seller_street": "Al. Tysiąclecia 7",
    "seller_postal_code": "43-603",
    "seller_city": "Jaworzno",
    "seller_phone": "32 614 01 31",
}

REGIONS = [
    {
        "slug": "bedzin-czeladz-sosnowiec",
        "name": "Będzin, Czeladź, Sosnowiec",
        "towns": "Będzin, Czeladź, Sosnowiec",
        "position": 1,
    },
    {"slug": "jaworzno", "name": "Jaworzno", "towns": "Jaworzno", "position": 2},
]


def seed(apps, schema_editor):
    Region = apps.get_model("customers", "Region")
    for region in REGIONS:
        Region.objects.update_or_create(slug=region["slug"], defaults={**region, **SELLER})


def unseed(apps, schema_editor):
    Region = apps.get_model("customers", "Region")
    Region.objects.filter(slug__in=[r["slug"] for r in REGIONS], customers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
