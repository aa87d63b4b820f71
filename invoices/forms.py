from django import forms
from django.utils.translation import gettext_lazy as _


class InvoiceFilterForm(forms.Form):
    """Faktury: by issue year and by paid/unpaid (of the invoice with its corrections)."""

    PAID_CHOICES = [("", _("wszystkie")), ("nieoplacone", _("nieopłacone")), ("oplacone", _("opłacone"))]

    rok = forms.TypedChoiceField(label=_("Rok wystawienia"), required=False, coerce=int, empty_value=None)
    stan = forms.ChoiceField(label=_("Stan"), required=False, choices=PAID_CHOICES)

    def __init__(self, data, *, years):
        super().__init__(data)
        self.fields["rok"].choices = [("", _("wszystkie")), *((year, year) for year in years)]

    def clean_stan(self):
        return {"nieoplacone": False, "oplacone": True}.get(self.cleaned_data["stan"])

    def options(self, name):
        """The <option>s of a field as ``(value, label, selected)``, for invoices/list.html to write its
        <select>s by hand: Django's widget templates (select, option, attrs) cost a tenth of the page.
        The one selected is the one Django's Select marks: the first whose value is the submitted text."""
        submitted = self[name].value()
        submitted = "" if submitted is None else str(submitted)
        options = []
        for value, label in self.fields[name].choices:
            value = str(value)
            options.append((value, label, value == submitted))
            if value == submitted:
                submitted = None  # only the first
        return options

    def rok_options(self):
        return self.options("rok")

    def stan_options(self):
        return self.options("stan")


DATE_WIDGET = {"format": "%Y-%m-%d", "attrs": {"type": "date"}}


class PeriodForm(forms.Form):
    """Rozliczenia and the statement of account: an optional period, both ends included."""

    od = forms.DateField(label=_("Od dnia"), required=False, widget=forms.DateInput(**DATE_WIDGET))
    do = forms.DateField(label=_("Do dnia"), required=False, widget=forms.DateInput(**DATE_WIDGET))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("od") and cleaned.get("do") and cleaned["od"] > cleaned["do"]:
            raise forms.ValidationError(_("Początek okresu musi być nie późniejszy niż jego koniec."))
        return cleaned
