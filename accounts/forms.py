import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers.consent import CURRENT_VERSION
from customers.models import EinvoiceConsent

CODE_RE = re.compile(r"^(\d{1,6})(?:\s*-\s*(\d{1,4}))?$")
SUB_RE = re.compile(r"^\d{0,4}$")


def parse_code(odbiorca, pododbiorca=""):
    """'1234', '001234', '1234-0000', '001234-0000' (spaces around) -> ('001234', '0000').

    The part after the dash is the sub-customer; an empty Pododbiorca means 0000. Giving the
    sub-customer twice, differently, is an error rather than a guess.
    """
    match = CODE_RE.match(odbiorca.strip())
    if not match or int(match[1]) > 999999:
        raise ValidationError(_("Wpisz kod odbiorcy z faktury, np. 1234 lub 001234-0000."), code="code")
    sub = pododbiorca.strip()
    if not SUB_RE.match(sub):
        raise ValidationError(_("Kod pododbiorcy to do 4 cyfr, np. 0001."), code="sub_code")
    if match[2] is not None and sub and int(sub) != int(match[2]):
        raise ValidationError(_("Kod pododbiorcy podano dwa razy i różni się."), code="sub_code")
    sub = sub or match[2] or "0"
    return f"{int(match[1]):06d}", f"{int(sub):04d}"


class CodeForm(forms.Form):
    odbiorca = forms.CharField(
        label=_("Odbiorca"),
        max_length=20,
        help_text=_("Kod odbiorcy z faktury, np. 1234."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username", "autocapitalize": "off"}),
    )
    pododbiorca = forms.CharField(
        label=_("Pododbiorca"),
        max_length=10,
        required=False,
        help_text=_("Tylko jeśli masz kod pododbiorcy; puste pole oznacza 0000."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if "odbiorca" in cleaned:
            try:
                cleaned["number"], cleaned["sub_code"] = parse_code(
                    cleaned["odbiorca"], cleaned.get("pododbiorca", "")
                )
            except ValidationError as error:
                self.add_error("pododbiorca" if error.code == "sub_code" else "odbiorca", error)
        return cleaned


class LoginForm(CodeForm):
    password = forms.CharField(
        label=_("Hasło"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EinvoiceConsentForm(forms.Form):
    """Konto: accept the e-invoice consent after reading its text, or withdraw it."""

    action = forms.ChoiceField(choices=EinvoiceConsent.Action.choices, widget=forms.HiddenInput)
    text_version = forms.CharField(max_length=20, widget=forms.HiddenInput)
    accept = forms.BooleanField(label=_("Akceptuję powyższą treść zgody na e-fakturę."), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") != EinvoiceConsent.Action.GRANTED:
            return cleaned
        if cleaned.get("text_version") != CURRENT_VERSION:
            raise ValidationError(_("Treść zgody zmieniła się w międzyczasie. Prosimy przeczytać nową wersję."))
        if not cleaned.get("accept"):
            self.add_error("accept", _("Aby włączyć e-fakturę, zaznacz akceptację treści zgody."))
        return cleaned
