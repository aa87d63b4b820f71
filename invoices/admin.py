from django.contrib import admin

from customers.admin import BillingDataAdmin
from invoices.models import Invoice, InvoiceLine, Payment


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "name", "unit", "quantity", "unit_net_price", "net_value", "vat_rate"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(BillingDataAdmin):
    list_display = ["number", "customer", "kind", "issue_date", "due_date", "gross", "ksef_number"]
    list_filter = ["region", "kind", "issue_date"]
    list_select_related = ["customer"]
    search_fields = ["number", "ksef_number", "customer__number", "customer__name"]
    date_hierarchy = "issue_date"
    exclude = ["ksef_xml"]
    inlines = [InvoiceLineInline]


@admin.register(Payment)
class PaymentAdmin(BillingDataAdmin):
    list_display = ["billing_id", "customer", "date", "amount", "invoice"]
    list_filter = ["region", "date"]
    list_select_related = ["customer", "invoice"]
    search_fields = ["billing_id", "title", "customer__number", "customer__name", "invoice__number"]
    date_hierarchy = "date"
