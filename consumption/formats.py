"""Numbers and dates as the consumption pages print them (Polish: 1 234,567 and 26.11.2026).

The separators come from the active language's formats (Django l10n); the formatting itself is done here
rather than by ``number_format`` because the page of a customer with ten points prints hundreds of them
and Django's general formatter was a sixth of its rendering time.
"""

from django.utils.formats import get_format
from django.utils.translation import get_language

NBSP = "\xa0"
MINUS = "\u2212"


def active_separators(language=None):
    """The decimal and thousands separators of `language` (default: the active one). Finding the active language
    costs more than formatting a number (it is a context-local), so it is asked once here, and a table of many
    numbers passes the separators to each call."""
    language = language or get_language()
    return get_format("DECIMAL_SEPARATOR", language), get_format("THOUSAND_SEPARATOR", language)


def format_gj(value, places=3, *, separators=None):
    """GJ with three decimals and thousands grouped by threes: 1 234,567. None stays empty.

    ``separators``: what :func:`active_separators` returned, when the caller formats many numbers at once."""
    if value is None:
        return ""
    decimal, thousand = separators or active_separators()
    text = f"{value:,.{places}f}"
    # Thousands separators after the decimal point are impossible, so two replaces through a placeholder.
    return (
        text.replace(",", "\0")
        .replace(".", decimal)
        .replace("\0", thousand)
        .replace("-", MINUS)  # one minus sign everywhere, as money (invoices.templatetags.money) prints it
    )


def format_change(value, *, separators=None):
    """A percentage change with its sign: +4,4 %, −12,0 %, 0,0 %. None stays empty."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{format_gj(abs(value), 1, separators=separators)}{NBSP}%"


def format_date(value):
    """DD.MM.RRRR, exactly what the date filter prints with "d.m.Y" (the year padded to four digits), from the
    date's fields: half of strftime's cost, and the invoice list prints four dates a row."""
    return f"{value.day:02}.{value.month:02}.{value.year:04}"
