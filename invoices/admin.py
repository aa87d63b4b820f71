from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.admin import BillingDataAdmin
from invoices import einvoice
from invoices.models import EinvoiceDelivery, EinvoiceResend, Invoice, InvoiceLine, Payment


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "name", "unit", "quantity", "unit_net_price", "net_value", "vat_rate"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _moment(value):
    return date_format(timezone.localtime(value), "d.m.Y H:i") if value else "—"


def einvoice_summary(delivery):
    """Whether, when and to which address the invoice's e-invoice e-mail went, in one line."""
    if delivery is None:
        return _("nie wysyłano (brak zgody na e-fakturę w dniu wystawienia)")
    if delivery.state == EinvoiceDelivery.State.SENT:
        return _("wysłano %(when)s na adres %(to)s") % {"when": _moment(delivery.sent_at), "to": delivery.to}
    if delivery.state == EinvoiceDelivery.State.SKIPPED:
        return _("pominięto: %(reason)s") % {"reason": delivery.reason}
    return _("%(state)s (adres %(to)s)") % {"state": delivery.get_state_display(), "to": delivery.to}


@admin.register(Invoice)
class InvoiceAdmin(BillingDataAdmin):
    list_display = ["number", "customer", "kind", "issue_date", "due_date", "gross", "ksef_number", "einvoice_state"]
    list_filter = ["region", "kind", "issue_date", "einvoice_delivery__state"]
    list_select_related = ["customer", "einvoice_delivery"]
    search_fields = ["number", "ksef_number", "customer__number", "customer__name"]
    date_hierarchy = "issue_date"
    exclude = ["ksef_xml"]
    readonly_fields = ["einvoice"]
    inlines = [InvoiceLineInline]

    @admin.display(description=gettext_lazy("e-faktura"), ordering="einvoice_delivery__state")
    def einvoice_state(self, obj):
        delivery = getattr(obj, "einvoice_delivery", None)
        return delivery.get_state_display() if delivery else "—"

    @admin.display(description=gettext_lazy("e-faktura"))
    def einvoice(self, obj):
        delivery = getattr(obj, "einvoice_delivery", None)
        summary = einvoice_summary(delivery)
        if delivery is None:
            return summary
        url = reverse("admin:invoices_einvoicedelivery_change", args=[delivery.pk])
        return format_html('{} — <a href="{}">{}</a>', summary, url, _("szczegóły wysyłki"))


class EinvoiceResendInline(admin.TabularInline):
    model = EinvoiceResend
    fields = ["at", "staff", "reason", "state_before"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ResendForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Powód ponownej wysyłki"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Zapisywany przy wysyłce, np. „odbiorca nie dostał wiadomości (telefon 3.12.2026)”."),
    )


@admin.register(EinvoiceDelivery)
class EinvoiceDeliveryAdmin(BillingDataAdmin):
    """Each invoice's e-invoice e-mail: read-only, with a resend (and its reason) for staff."""

    list_display = ["invoice", "customer", "to", "state", "attempts", "queued_at", "sent_at"]
    list_filter = ["state", "invoice__region"]
    list_select_related = ["invoice__customer"]
    search_fields = ["invoice__number", "to", "invoice__customer__number", "invoice__customer__name"]
    date_hierarchy = "queued_at"
    fields = ["invoice", "to", "state", "reason", "attempts", "failures", "last_error", "queued_at",
              "next_attempt_at", "claimed_at", "handed_over_at", "sent_at", "message_id", "resend_link"]  # fmt: skip
    readonly_fields = ["resend_link"]
    inlines = [EinvoiceResendInline]

    @admin.display(description=gettext_lazy("odbiorca"), ordering="invoice__customer__number")
    def customer(self, obj):
        return obj.invoice.customer

    @admin.display(description=gettext_lazy("ponowna wysyłka"))
    def resend_link(self, obj):
        if obj.state not in einvoice.RESENDABLE:
            return "—"
        url = reverse("admin:invoices_einvoicedelivery_resend", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Wyślij ponownie (z podaniem powodu)"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.resend_view)
        return [path("<int:pk>/wyslij-ponownie/", view, name="invoices_einvoicedelivery_resend"), *super().get_urls()]

    def resend_view(self, request, pk):
        if not request.user.has_perm("invoices.add_einvoiceresend"):
            raise PermissionDenied
        delivery = get_object_or_404(EinvoiceDelivery.objects.select_related("invoice"), pk=pk)
        form = ResendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                einvoice.resend(delivery=delivery, reason=form.cleaned_data["reason"], staff=request.user)
            except einvoice.ResendRefused as refusal:
                form.add_error(None, refusal.args[0])
            else:
                self.log_change(request, delivery, _("Ponowna wysyłka: %(reason)s") % form.cleaned_data)
                self.message_user(request, _("Wysyłka e-faktury %(number)s w kolejce.") % {"number": delivery.invoice})
                return redirect("admin:invoices_einvoicedelivery_change", delivery.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ponowna wysyłka e-faktury %(number)s") % {"number": delivery.invoice},
            "opts": self.model._meta,
            "original": delivery,
            "form": form,
        }
        return TemplateResponse(request, "admin/invoices/einvoicedelivery/resend.html", context)


@admin.register(Payment)
class PaymentAdmin(BillingDataAdmin):
    list_display = ["billing_id", "customer", "date", "amount", "invoice"]
    list_filter = ["region", "date"]
    list_select_related = ["customer", "invoice"]
    search_fields = ["billing_id", "title", "customer__number", "customer__name", "invoice__number"]
    date_hierarchy = "date"
