"""Money the Polish way: ``{{ amount|zl }}`` → ``1 234,56 zł`` (non-breaking spaces), through Django's l10n."""

from django import template
from django.utils.formats import number_format

from invoices.validators import format_nrb

register = template.Library()


@register.filter
def zl(value):
    if value is None or value == "":
        return ""
    return f"{number_format(value, decimal_pos=2, force_grouping=True)}\u00a0zł"


@register.filter
def nrb(value):
    """26 account digits in groups: 12 3456 7890 1234 5678 9012 3456."""
    return format_nrb(value or "")
