"""The staff group "Obsługa klienta": handles cases, reads what a case is about, changes nothing else.

Its members open the queue and a case, answer (cases.answer_case), write notes, assign and set statuses
(cases.change_case), and look up the customer, its metering points, invoices with their lines, payments and
readings to answer a complaint — all read-only. The group has no permission on anything that changes billing
data or a customer's way in: customers.change_customer is what enrols or changes the customer's e-mail and
runs "send password" (customers/admin.py), so it is not here; neither are e-invoice consents or resends,
lock-outs, staff accounts or the e-mail log. Members are staff accounts added to the group in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Obsługa klienta"
PERMISSIONS = [
    ("cases", "case", "view_case"),
    ("cases", "case", "change_case"),
    ("cases", "case", "answer_case"),
    ("customers", "customer", "view_customer"),
    ("customers", "meteringpoint", "view_meteringpoint"),
    ("invoices", "invoice", "view_invoice"),
    ("invoices", "invoiceline", "view_invoiceline"),
    ("invoices", "payment", "view_payment"),
    ("consumption", "consumptionreading", "view_consumptionreading"),
]


def create_group(apps, schema_editor):
    # On a new database the permissions are made after all migrations (post_migrate): make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=codename)
            for app, model, codename in PERMISSIONS
        ]
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0002_assignments_and_digest_runs"),
        ("customers", "0006_region_case_prefix"),
        ("invoices", "0008_invoice_pdf_transfer_amount"),
        ("consumption", "0002_reading_point_no_separate_index"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
