"""Numbers and dates as the consumption pages print them (Polish: 1 234,567 and 26.11.2026).

The separators come from the active language's formats (Django l10n); the formatting itself is done here
rather than by ``number_format`` because the page of a customer with ten points prints hundreds of them
and Django's general formatter was a sixth of its rendering time.
"""

from django.utils.formats import get_format

NBSP = "\xa0"
MINUS = "\u2212"


def format_gj(value, places=3):
    """GJ with three decimals and thousands grouped by threes: 1 234,567. None stays empty."""
    if value is None:
        return ""
    text = f"{value:,.{places}f}"
    # Thousands separators after the decimal point are impossible, so two replaces through a placeholder.
    return (
        text.replace(",", "\0")
        .replace(".", get_format("DECIMAL_SEPARATOR"))
        .replace("\0", get_format("THOUSAND_SEPARATOR"))
        .replace("-", MINUS)  # one minus sign everywhere, as money (invoices.templatetags.money) prints it
    )


def format_change(value):
    """A percentage change with its sign: +4,4 %, −12,0 %, 0,0 %. None stays empty."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{format_gj(abs(value), 1)}{NBSP}%"


def format_date(value):
    """DD.MM.RRRR, exactly what the date filter prints with "d.m.Y"."""
    return f"{value:%d.%m.%Y}"
