"""Each region's prefix of case numbers (JAW/2026/00042). The seeded regions get theirs; a region added
since in the admin gets the first letters of its slug and its id, which staff can change."""

import django.core.validators
from django.db import migrations, models


PREFIXES = {"jaworzno": "JAW", "bedzin-czeladz-sosnowiec": "BCS"}


def seed(apps, schema_editor):
    """The regions eBOK serves, as migration 0002 seeded them, with their case prefixes (also used by the
    tests to put the regions back after a transactional test)."""
    import importlib

    first = importlib.import_module("customers.migrations.0002_seed_regions")
    Region = apps.get_model("customers", "Region")
    for region in first.REGIONS:
        Region.objects.update_or_create(
            slug=region["slug"], defaults={**region, **first.SELLER, "case_prefix": PREFIXES[region["slug"]]}
        )


def fill_prefixes(apps, schema_editor):
    Region = apps.get_model("customers", "Region")
    for region in Region.objects.all():
        region.case_prefix = PREFIXES.get(region.slug) or "".join(
            c for c in region.slug.upper() if "A" <= c <= "Z"
        )[:3] + "".join(chr(ord("A") + int(d)) for d in str(region.pk))[:2]
        region.save(update_fields=["case_prefix"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_einvoice_consent_history")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="case_prefix",
            field=models.CharField(default="", max_length=5, verbose_name="skrót w numerach spraw"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_prefixes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="region",
            name="case_prefix",
            field=models.CharField(
                help_text="Początek numeru każdej sprawy odbiorcy regionu: JAW/2026/00042.",
                max_length=5,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z]{2,5}$", "Od 2 do 5 wielkich liter bez polskich znaków, np. JAW."
                    )
                ],
                verbose_name="skrót w numerach spraw",
            ),
        ),
    ]
