from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.forms import parse_code
from accounts.models import StaffAction
from customers.models import Customer, ImportRun, MeteringPoint, Region

# Name, address and the rest come from the billing export: staff change them in the billing system,
# not here. What eBOK owns (the enrolled e-mail) is editable.
BILLING_FIELDS = ["region", "number", "sub_code", "name", "nip", "street", "postal_code", "city", "phone", "active"]


class BillingDataAdmin(admin.ModelAdmin):
    """Rows only the system writes (the billing import, the way in's records): staff look, nobody edits."""

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


class CustomerForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if "email" in self.changed_data and cleaned.get("email") and "email_requested_on" not in self.changed_data:
            self.add_error("email_requested_on", _("Nowy adres e-mail wpisuje się z datą nowego pisemnego wniosku."))
        return cleaned


class EnrolledFilter(admin.SimpleListFilter):
    title = _("e-mail w eBOK")
    parameter_name = "enrolled"

    def lookups(self, request, model_admin):
        return [("yes", _("wpisany")), ("no", _("brak"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.enrolled()
        if self.value() == "no":
            return queryset.filter(email="")
        return queryset


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "email", "active", "einvoice_consent"]
    list_filter = ["region", EnrolledFilter, "active", "einvoice_consent"]
    actions = ["send_one_time_password"]
    form = CustomerForm
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

    def get_search_results(self, request, queryset, search_term):
        """A code as printed on invoices (001234-0001) or typed by customers (1234) finds the customer."""
        try:
            number, sub_code = parse_code(search_term)
        except ValidationError:  # not a code: search names, NIP and e-mail as usual
            return super().get_search_results(request, queryset, search_term)
        by_code = queryset.filter(number=number)
        if "-" in search_term:
            by_code = by_code.filter(sub_code=sub_code)
        results, duplicates = super().get_search_results(request, queryset, search_term)
        return results | by_code, duplicates

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "email" in form.changed_data:
                old_email = form.initial.get("email", "")
                services.customer_change_email(customer=obj, old_email=old_email)
                StaffAction.objects.email_changed(staff=request.user, customer=obj, old_email=old_email)

    @admin.action(description=_("Wyślij hasło jednorazowe na adres e-mail odbiorcy"))
    def send_one_time_password(self, request, queryset):
        sent = 0
        for customer in queryset.select_related("region"):
            with transaction.atomic():  # the password and its audit entry, or neither
                if not services.password_request(
                    region=customer.region, number=customer.number, sub_code=customer.sub_code, by_staff=True
                ):
                    continue
                StaffAction.objects.password_sent(staff=request.user, customer=customer)
            sent += 1
            self.log_change(request, customer, _("Wysłano hasło jednorazowe."))
        skipped = queryset.count() - sent
        self.message_user(
            request, ngettext("Wysłano %(n)d hasło.", "Wysłano %(n)d haseł.", sent) % {"n": sent}, messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "Pominięto %(n)d odbiorcę: brak e-maila albo odbiorca nieaktywny.",
                    "Pominięto %(n)d odbiorców: brak e-maila albo odbiorca nieaktywny.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

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
