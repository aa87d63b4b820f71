from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, ImportRun, MeteringPoint, Region

# Name, address and the rest come from the billing export: staff change them in the billing system,
# not here. What eBOK owns (the enrolled e-mail) is editable.
BILLING_FIELDS = ["region", "number", "sub_code", "name", "nip", "street", "postal_code", "city", "phone", "active"]


class BillingDataAdmin(admin.ModelAdmin):
    """Rows that only the billing import writes: staff look, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "seller_name", "seller_nip"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MeteringPointInline(admin.TabularInline):
    model = MeteringPoint
    fields = ["identifier", "address", "tariff_group", "ordered_power_mw"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "email", "active", "einvoice_consent"]
    list_filter = ["region", "active", "einvoice_consent"]
    list_select_related = ["region"]
    search_fields = ["number", "name", "nip", "email"]
    readonly_fields = [*BILLING_FIELDS, "einvoice_consent", "einvoice_consent_changed_at", "created_at", "updated_at"]
    fieldsets = [
        (_("Dane z systemu bilingowego"), {"fields": BILLING_FIELDS}),
        (_("eBOK"), {"fields": ["email", "email_requested_on", "einvoice_consent", "einvoice_consent_changed_at"]}),
        (_("Historia"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [MeteringPointInline]

    @admin.display(description=_("numer odbiorcy"), ordering="number")
    def code(self, obj):
        return obj.code

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeteringPoint)
class MeteringPointAdmin(BillingDataAdmin):
    list_display = ["identifier", "address", "customer", "tariff_group", "ordered_power_mw"]
    list_filter = ["region", "tariff_group"]
    list_select_related = ["customer"]
    search_fields = ["identifier", "address", "customer__number", "customer__name"]


@admin.register(ImportRun)
class ImportRunAdmin(BillingDataAdmin):
    """Every import run, for staff to see who imported what and why a run was refused."""

    list_display = ["started_at", "kind", "region", "started_by", "result", "created", "updated", "unchanged",
                    "error_count"]  # fmt: skip
    list_filter = ["kind", "result", "region"]
    search_fields = ["started_by", "source", "errors"]
    fields = ["kind", "region", "started_by", "started_at", "finished_at", "source", "dry_run", "result",
              "file_table", "created", "updated", "unchanged", "error_count", "errors", "warnings"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("pliki"))
    def file_table(self, obj):
        rows = [
            format_html(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                item.get("name"), item.get("size"), item.get("rows"), item.get("sha256"),
                item.get("created", "–"), item.get("updated", "–"), item.get("unchanged", "–"),
            )
            for item in obj.files
        ]  # fmt: skip
        head = format_html(
            "<tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>SHA-256</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th></tr>",
            _("plik"), _("bajty"), _("wiersze"), _("utworzono"), _("zmieniono"), _("bez zmian"),
        )  # fmt: skip
        return format_html("<table>{}{}</table>", head, format_html_join("", "{}", ((row,) for row in rows)))
