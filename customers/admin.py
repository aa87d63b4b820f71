from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.forms import parse_code
from accounts.models import StaffAction
from customers import consent
from customers.models import Customer, EinvoiceConsent, ImportRun, MeteringPoint, Region
from customers.services import ConsentRefused, einvoice_consent_end_on_email_change, einvoice_consent_record
from ops.events import security_event

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


class PaperConsentForm(forms.Form):
    """A consent or withdrawal the customer signed on paper, entered by staff."""

    action = forms.ChoiceField(label=_("czynność"), choices=EinvoiceConsent.Action.choices, widget=forms.RadioSelect)
    signed_on = forms.DateField(label=_("data podpisanego dokumentu"))
    email = forms.EmailField(
        label=_("adres e-mail z dokumentu"),
        required=False,
        help_text=_("Przy zgodzie: adres z podpisanego dokumentu; musi być adresem wpisanym w eBOK."),
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("Data podpisania nie może być z przyszłości."))
        return signed_on

    def clean(self):
        cleaned = super().clean()
        granting = cleaned.get("action") == EinvoiceConsent.Action.GRANTED
        if granting and cleaned.get("email", "").lower() != self.customer.email.lower():
            self.add_error(
                "email",
                _(
                    "Adres z dokumentu musi być adresem wpisanym w eBOK (%(email)s). Inny adres najpierw wpisuje się"
                    " w polu „e-mail do eBOK” z datą pisemnego wniosku."
                )
                % {"email": self.customer.email or "—"},
            )
        return cleaned


class CustomerForm(forms.ModelForm):
    def clean(self):
        """A new or removed address needs the date of a new written request: the staff log and, when the
        e-invoice consent ends with the old address, its withdrawal record name that date."""
        cleaned = super().clean()
        if "email" in self.changed_data and "email_requested_on" not in self.changed_data:
            if cleaned.get("email"):
                self.add_error(
                    "email_requested_on", _("Nowy adres e-mail wpisuje się z datą nowego pisemnego wniosku.")
                )
            elif self.initial.get("email"):
                self.add_error(
                    "email_requested_on", _("Usunięcie adresu e-mail wpisuje się z datą pisemnego wniosku.")
                )
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
    readonly_fields = [*BILLING_FIELDS, "einvoice_consent", "einvoice_consent_changed_at", "paper_consent_link",
                       "consent_history", "created_at", "updated_at"]  # fmt: skip
    fieldsets = [
        (_("Dane z systemu bilingowego"), {"fields": BILLING_FIELDS}),
        (
            _("eBOK"),
            {
                "fields": [
                    "email",
                    "email_requested_on",
                    "einvoice_consent",
                    "einvoice_consent_changed_at",
                    "paper_consent_link",
                    "consent_history",
                ]
            },
        ),
        (_("Historia"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [MeteringPointInline]

    def get_urls(self):
        view = self.admin_site.admin_view(self.paper_consent_view)
        return [
            path("<int:pk>/e-faktura-na-pismie/", view, name="customers_customer_paper_consent"),
            *super().get_urls(),
        ]

    @admin.display(description=_("zgoda lub wycofanie na piśmie"))
    def paper_consent_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:customers_customer_paper_consent", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Wpisz zgodę na e-fakturę lub jej wycofanie z dokumentu"))

    @admin.display(description=_("historia zgody na e-fakturę"))
    def consent_history(self, obj):
        """Read-only, newest first; each row links to the record with the text of its version."""
        records = obj.einvoice_consents.select_related("user", "staff").order_by("-recorded_at", "-pk")
        rows = format_html_join(
            "",
            "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:customers_einvoiceconsent_change", args=[record.pk]),
                    date_format(timezone.localtime(record.recorded_at), "d.m.Y H:i"),
                    record.get_action_display(),
                    record.get_channel_display(),
                    record.email or "—",
                    date_format(record.effective_from, "d.m.Y"),
                    record.text_version,
                    record.staff or record.user or "—",
                )
                for record in records
            ),
        )
        if not rows:
            return "—"
        head = format_html(
            "<tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th></tr>",
            _("zapisano"), _("czynność"), _("sposób"), _("adres e-mail"), _("obowiązuje od dnia"),
            _("wersja treści zgody"), _("kto"),
        )  # fmt: skip
        return format_html("<table>{}{}</table>", head, rows)

    def paper_consent_view(self, request, pk):
        """Enter a consent or withdrawal signed on paper: the record, the flag, the e-mail and the log at once."""
        if not request.user.has_perm("customers.add_einvoiceconsent"):
            raise PermissionDenied
        customer = get_object_or_404(Customer.objects.select_related("region"), pk=pk)
        form = PaperConsentForm(request.POST or None, customer=customer)
        if request.method == "POST" and form.is_valid():
            try:
                record = einvoice_consent_record(
                    customer=customer,
                    action=form.cleaned_data["action"],
                    channel=EinvoiceConsent.Channel.PAPER,
                    staff=request.user,
                    signed_on=form.cleaned_data["signed_on"],
                )
            except ConsentRefused as refusal:
                form.add_error(None, refusal.args[0])
            else:
                self.log_change(request, customer, str(record.get_action_display()))
                self.message_user(request, _("Zapisano: %(action)s.") % {"action": record.get_action_display()})
                return redirect("admin:customers_customer_change", customer.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Zgoda na e-fakturę na piśmie"),
            "opts": self.model._meta,
            "original": customer,
            "form": form,
            "consent_version": consent.CURRENT_VERSION,
        }
        return TemplateResponse(request, "admin/customers/customer/paper_consent.html", context)

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
        """Write only the fields staff edit: `obj` was read before the form was shown, and saving all of it
        would put back a consent flag the customer changed meanwhile. A new or removed address ends the
        e-invoice consent given for the old one (einvoice_consent_end_on_email_change), in the same transaction
        as the change, its notice and its log entry."""
        if not change:
            return super().save_model(request, obj, form, change)
        with transaction.atomic():
            obj.save(update_fields=[*form.changed_data, "updated_at"])
            if "email" in form.changed_data:
                old_email = form.initial.get("email", "")
                ended = einvoice_consent_end_on_email_change(customer=obj, old_email=old_email, staff=request.user)
                services.customer_change_email(customer=obj, old_email=old_email, ended_consent=ended)
                StaffAction.objects.email_changed(staff=request.user, customer=obj, old_email=old_email)
                security_event(
                    "email_changed", request=request, customer=obj, old_email=old_email, new_email=obj.email
                )
        return None

    # Like enrolling the address, sending a password is a step of the customer's way in: it needs the right to
    # change customers. Without `permissions` Django offers an action to anyone who may only view the list.
    @admin.action(description=_("Wyślij hasło jednorazowe na adres e-mail odbiorcy"), permissions=["change"])
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


@admin.register(EinvoiceConsent)
class EinvoiceConsentAdmin(BillingDataAdmin):
    """The history of e-invoice consents: read-only for everyone, added to only by the portal and the paper form."""

    list_display = ["recorded_at", "customer", "action", "channel", "email", "effective_from", "text_version",
                    "user", "ip", "staff", "signed_on"]  # fmt: skip
    list_filter = ["action", "channel", "text_version"]
    list_select_related = ["customer", "user", "staff"]
    search_fields = ["customer__number", "customer__name", "email"]
    fields = [*list_display, "text"]
    readonly_fields = fields
    date_hierarchy = "recorded_at"

    @admin.display(description=_("treść zgody w tej wersji"))
    def text(self, obj):
        return format_html(
            '<div style="white-space: pre-line; max-width: 60em;">{}</div>',
            consent.consent_text(obj.text_version, language="pl"),
        )
