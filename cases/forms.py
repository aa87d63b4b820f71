"""The customer's forms of Sprawy: one per kind, each with its own fields and rules, and the message form.

Every choice (a metering point, an invoice's line) is offered from the logged-in customer's own data only,
so another customer's id posted by hand is a form error like any unknown one. Files go through
cases.attachments.check_files with what is left of the customer's budget: a file that fails is refused with
a message naming it, and the view stores nothing.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import limits
from cases.attachments import check_files
from cases.models import Case
from cases.services import case_budget_left

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
BODY_MAX = 5000
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{9,20}$")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple> (Django docs, "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads if upload]


def files_help():
    return gettext(
        "Najwyżej %(count)d plików PDF, JPEG lub PNG, każdy do %(size)d MB (np. skan pisma, zdjęcie licznika)."
    ) % {"count": limits.CASE_FILES_PER_MESSAGE, "size": limits.CASE_FILE_MAX_BYTES // (1024 * 1024)}


class FilesForm(forms.Form):
    """A message and its files: what every form of a case has. `customer` is the logged-in customer."""

    body = forms.CharField(
        label=_("Treść"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Wpisz treść wiadomości.")},
    )
    attachments = MultipleFileField(label=_("Załączniki"), required=False)

    def __init__(self, data=None, files=None, *, customer, **kwargs):
        super().__init__(data, files, **kwargs)
        self.customer = customer
        self.fields["attachments"].help_text = files_help()

    def clean_attachments(self):
        uploads = self.cleaned_data["attachments"]
        if not uploads:
            return []
        return check_files(uploads, budget_left=case_budget_left(self.customer))


class MessageForm(FilesForm):
    """A message in an open case (or one closed less than 30 days ago, which it reopens)."""

    body = forms.CharField(
        label=_("Wiadomość"), max_length=BODY_MAX, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean(self):
        cleaned = super().clean()
        nothing = not cleaned.get("body", "").strip() and not cleaned.get("attachments")
        if nothing and not self.has_error("attachments"):
            raise ValidationError(_("Wpisz treść wiadomości lub dołącz plik."))
        return cleaned


class CaseForm(FilesForm):
    """A new case: the kind's fields, then the message and files. subject() and details() say what
    cases.services.case_file stores."""

    kind = None

    def subject(self):
        raise NotImplementedError

    def details(self):
        return {}

    def chosen_lines(self):
        return ()

    def office_subject(self):
        """The subject, read by the office: in the site's language whatever the customer's page is in."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.subject()[:200]


class PointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, point):
        if point.ordered_power_mw is None:
            return f"{point.identifier} — {point.address}"
        power = formats.number_format(point.ordered_power_mw, decimal_pos=4)
        return gettext("%(identifier)s — %(address)s (moc zamówiona %(power)s MW)") % {
            "identifier": point.identifier,
            "address": point.address,
            "power": power,
        }


def point_field(label):
    return PointChoiceField(
        label=label,
        queryset=None,
        empty_label=_("— wybierz punkt —"),
        error_messages={
            "required": _("Wybierz punkt poboru (węzeł) z listy."),
            "invalid_choice": _("Wybierz jeden ze swoich punktów poboru z listy."),
        },
    )


class OutageForm(CaseForm):
    kind = Case.Kind.OUTAGE
    point = point_field(_("Punkt poboru (węzeł cieplny)"))
    body = forms.CharField(
        label=_("Opis awarii"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Co nie działa, od kiedy, których budynków lub lokali dotyczy, kto jest na miejscu (telefon)."),
        error_messages={"required": _("Opisz awarię: co nie działa i od kiedy.")},
    )
    field_order = ["point", "body", "attachments"]

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, customer=customer, **kwargs)
        self.fields["point"].queryset = customer.metering_points.order_by("identifier")

    def subject(self):
        return gettext("Brak ogrzewania: %(point)s") % {"point": self.cleaned_data["point"]}

    def details(self):
        return {"point": self.cleaned_data["point"]}


class LineChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, line):
        from invoices.templatetags.money import zl

        return f"{line.position}. {line.name} — {zl(line.net_value)} {gettext('netto')}"


class ComplaintForm(CaseForm):
    """A complaint about one of the customer's invoices (the view finds it through the customer: 404 else)."""

    kind = Case.Kind.COMPLAINT
    disputed_amount = forms.DecimalField(
        label=_("Kwota reklamowana [zł]"),
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("O ile, według Ciebie, faktura jest za wysoka; np. 123,45."),
        error_messages={
            "invalid": _("Wpisz kwotę w złotych, np. 123,45."),
            "max_decimal_places": _("Kwota może mieć najwyżej 2 miejsca po przecinku (grosze)."),
            "max_digits": _("Kwota jest za duża."),
            "max_whole_digits": _("Kwota jest za duża."),
        },
    )
    disputed_lines = LineChoiceField(
        label=_("Reklamowane pozycje faktury"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Zaznacz pozycje tej faktury.")},
    )
    body = forms.CharField(
        label=_("Uzasadnienie reklamacji"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Co jest według Ciebie błędne i dlaczego (np. odczyt licznika, okres, moc zamówiona)."),
        error_messages={"required": _("Napisz, dlaczego faktura jest reklamowana.")},
    )
    field_order = ["disputed_amount", "disputed_lines", "body", "attachments"]

    def __init__(self, *args, customer, invoice, **kwargs):
        super().__init__(*args, customer=customer, **kwargs)
        self.invoice = invoice
        self.fields["disputed_lines"].queryset = invoice.lines.order_by("position")

    def clean_disputed_amount(self):
        amount = self.cleaned_data["disputed_amount"]
        if amount is None:
            return None
        if amount <= 0:
            raise ValidationError(_("Kwota reklamowana musi być większa od zera."))
        if amount > abs(self.invoice.gross):
            from invoices.templatetags.money import zl

            raise ValidationError(
                _("Kwota reklamowana nie może być większa niż kwota faktury (%(gross)s).")
                % {"gross": zl(abs(self.invoice.gross))}
            )
        return amount

    def clean(self):
        cleaned = super().clean()
        no_amount = cleaned.get("disputed_amount") is None and not self.has_error("disputed_amount")
        no_lines = not cleaned.get("disputed_lines") and not self.has_error("disputed_lines")
        if no_amount and no_lines:
            raise ValidationError(
                _("Podaj kwotę reklamowaną lub zaznacz reklamowane pozycje faktury (albo jedno i drugie).")
            )
        return cleaned

    def subject(self):
        return gettext("Reklamacja faktury %(number)s") % {"number": self.invoice.number}

    def details(self):
        return {"invoice": self.invoice, "disputed_amount": self.cleaned_data["disputed_amount"]}

    def chosen_lines(self):
        return list(self.cleaned_data["disputed_lines"])


class PowerForm(CaseForm):
    kind = Case.Kind.POWER
    point = point_field(_("Punkt poboru (węzeł cieplny)"))
    requested_power_mw = forms.DecimalField(
        label=_("Wnioskowana moc zamówiona [MW]"),
        max_digits=10,
        decimal_places=4,
        localize=True,
        help_text=_("W megawatach, najwyżej 4 miejsca po przecinku, np. 0,2750."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Podaj wnioskowaną moc zamówioną w MW."),
            "invalid": _("Wpisz moc w MW jako liczbę, np. 0,2750."),
            "max_decimal_places": _("Moc można podać z dokładnością do 4 miejsc po przecinku (0,0001 MW)."),
            "max_digits": _("Wnioskowana moc jest za duża."),
            "max_whole_digits": _("Wnioskowana moc jest za duża."),
        },
    )
    requested_from = forms.DateField(
        label=_("Od dnia"),
        help_text=_("Od kiedy ma obowiązywać nowa moc; nie wcześniej niż dziś."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": _("Podaj datę, od której ma obowiązywać nowa moc."),
            "invalid": _("Wpisz datę, np. 2026-12-01."),
        },
    )
    body = forms.CharField(
        label=_("Uzasadnienie (nieobowiązkowe)"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Np. termomodernizacja budynku, zmiana liczby lokali."),
    )
    field_order = ["point", "requested_power_mw", "requested_from", "body", "attachments"]

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, customer=customer, **kwargs)
        self.fields["point"].queryset = customer.metering_points.order_by("identifier")

    def clean_requested_power_mw(self):
        power = self.cleaned_data["requested_power_mw"]
        if power <= 0:
            raise ValidationError(_("Wnioskowana moc musi być większa od zera."))
        return power

    def clean_requested_from(self):
        day = self.cleaned_data["requested_from"]
        today = timezone.localdate()
        if day < today:
            today_text = formats.date_format(today, "d.m.Y")
            raise ValidationError(_("Data nie może być wcześniejsza niż dziś (%(today)s).") % {"today": today_text})
        if day > today + datetime.timedelta(days=3 * 366):
            raise ValidationError(_("Wniosek można złożyć najwyżej na 3 lata naprzód."))
        return day

    def clean(self):
        cleaned = super().clean()
        point, power = cleaned.get("point"), cleaned.get("requested_power_mw")
        if point is not None and power is not None and point.ordered_power_mw == power:
            self.add_error("requested_power_mw", _("To jest obecna moc zamówiona tego punktu."))
        return cleaned

    def subject(self):
        data = self.cleaned_data
        return gettext("Zmiana mocy zamówionej: %(point)s, %(power)s MW od %(day)s") % {
            "point": data["point"].identifier,
            "power": formats.number_format(data["requested_power_mw"], decimal_pos=4),
            "day": formats.date_format(data["requested_from"], "d.m.Y"),
        }

    def details(self):
        data = self.cleaned_data
        return {
            "point": data["point"],
            "requested_power_mw": data["requested_power_mw"],
            "requested_from": data["requested_from"],
        }


class ContactForm(CaseForm):
    kind = Case.Kind.CONTACT
    contact_phone = forms.CharField(
        label=_("Nowy numer telefonu"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("Nowy adres e-mail do kontaktu w sprawach"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Wpisz poprawny adres e-mail, np. biuro@example.pl.")},
    )
    contact_address = forms.CharField(
        label=_("Nowy adres korespondencyjny"),
        required=False,
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ulica i numer, kod pocztowy, miejscowość."),
    )
    body = forms.CharField(
        label=_("Uwagi (nieobowiązkowe)"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = ["contact_phone", "contact_email", "contact_address", "body", "attachments"]

    def clean_contact_phone(self):
        phone = " ".join(self.cleaned_data["contact_phone"].split())
        if phone and (not PHONE_RE.match(phone) or len(re.sub(r"\D", "", phone)) < 9):
            raise ValidationError(_("Wpisz numer telefonu: co najmniej 9 cyfr, np. 32 614 01 31 lub +48 600 100 200."))
        return phone

    def clean_contact_address(self):
        address = " ".join(self.cleaned_data["contact_address"].split())
        if address and len(address) < 10:
            raise ValidationError(_("Podaj pełny adres: ulicę i numer, kod pocztowy i miejscowość."))
        return address

    def clean(self):
        cleaned = super().clean()
        fields = ("contact_phone", "contact_email", "contact_address")
        if not any(cleaned.get(name) for name in fields) and not any(self.has_error(name) for name in fields):
            raise ValidationError(
                _("Podaj co najmniej jedną nową daną: telefon, adres e-mail lub adres korespondencyjny.")
            )
        return cleaned

    def subject(self):
        return gettext("Zmiana danych kontaktowych")

    def details(self):
        return {name: self.cleaned_data[name] for name in ("contact_phone", "contact_email", "contact_address")}


class OtherForm(CaseForm):
    kind = Case.Kind.OTHER
    subject_text = forms.CharField(
        label=_("Temat"),
        max_length=200,
        error_messages={"required": _("Wpisz temat wniosku.")},
    )
    body = forms.CharField(
        label=_("Treść wniosku"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Wpisz treść wniosku.")},
    )
    field_order = ["subject_text", "body", "attachments"]

    def clean_subject_text(self):
        subject = " ".join(self.cleaned_data["subject_text"].split())
        if not subject:
            raise ValidationError(_("Wpisz temat wniosku."))
        return subject

    def subject(self):
        return self.cleaned_data["subject_text"]
