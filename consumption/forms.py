from django import forms
from django.utils.translation import gettext_lazy as _


class SelectionForm(forms.Form):
    """What the page shows: a year with readings and one point or all of them (their sum).

    The point is checked against the customer's own points by the view before this form sees it, so
    that another customer's point is a 404 rather than a form error. The page writes the two selects
    itself (the widgets' templates cost more than the rest of the form on a 10-point page).
    """

    rok = forms.TypedChoiceField(label=_("Rok"), coerce=int, required=False, empty_value=None)
    punkt = forms.ChoiceField(label=_("Punkt poboru"), required=False)

    def __init__(self, data, *, years, points, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["rok"].choices = [(year, str(year)) for year in years]
        self.fields["rok"].error_messages["invalid_choice"] = _(
            "Nie ma odczytów za rok %(value)s. Wybierz rok z listy."
        )
        self.fields["punkt"].choices = [("", _("wszystkie punkty (suma)"))] + [
            (point.identifier, f"{point.identifier} — {point.address}") for point in points
        ]
