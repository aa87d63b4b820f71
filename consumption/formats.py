"""Numbers as the consumption pages print them, through Django's l10n (Polish: 1 234,567)."""

from django.utils import dateformat
from django.utils.formats import number_format

NBSP = "\xa0"
MINUS = "\u2212"


def format_gj(value, places=3):
    """GJ with three decimals and grouped thousands: 1 234,567. None stays empty."""
    if value is None:
        return ""
    return number_format(value, places, force_grouping=True)


def format_change(value):
    """A percentage change with its sign: +4,4 %, −12,0 %, 0,0 %. None stays empty."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{number_format(abs(value), 1, force_grouping=True)}{NBSP}%"


def format_date(value):
    """DD.MM.RRRR, as the date filter with "d.m.Y" prints it."""
    return dateformat.format(value, "d.m.Y")
