"""Money the Polish way: ``{{ amount|zl }}`` → ``1 234,56 zł`` (non-breaking spaces), through Django's l10n.

One typography for every number a page prints: a negative amount has the minus sign (U+2212, as the
consumption pages' changes have), a percentage has a non-breaking space before ``%`` (``23 %``, ``+3,4 %``).
"""

import re
from decimal import Decimal

from django import template
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from consumption.formats import MINUS, NBSP, active_separators, format_date, format_gj
from invoices.validators import format_nrb

register = template.Library()


ZERO = Decimal("0.00")


@register.filter
def zl(value):
    if value is None or value == "":
        return ""
    return f"{_two_places(value)}{NBSP}zł"


def _two_places(value):
    """What ``number_format(value, decimal_pos=2, force_grouping=True)`` prints, at a fifth of its cost for
    an amount of whole grosze (every amount of the database and the ledger) or a whole number: the
    consumption pages' formatter (grouping by threes, the language's separators, one minus sign). Django
    truncates further places rather than rounding them, and prints any zero without a sign: anything else
    goes through Django."""
    if type(value) is int:
        value = Decimal(value)
    whole_grosze = type(value) is Decimal and value.is_finite() and -2 <= value.as_tuple().exponent <= 0
    language = get_language()  # once: finding it costs more than the formatting
    if whole_grosze and get_format("NUMBER_GROUPING", language) == 3:
        return format_gj(value or ZERO, 2, separators=active_separators(language))
    return number_format(value, decimal_pos=2, force_grouping=True).replace("-", MINUS)


@register.filter(expects_localtime=True)
def dmy(value):
    """A date as ``{{ value|date:"d.m.Y" }}`` prints it (26.11.2026; a datetime in local time), an eighth of
    its cost: Django's filter looks a custom format up in every format module on each call, and an invoice
    list prints four dates a row."""
    if value is None or value == "":
        return ""
    return format_date(value)


@register.filter
def vat_rate(rate):
    """A VAT rate as printed: 23 % (non-breaking space), or the exemption's name (zw, np)."""
    return vat_rate_label(rate)


def vat_rate_label(rate):
    from invoices.models import InvoiceLine

    if rate.isdigit():
        return f"{rate}{NBSP}%"
    return dict(InvoiceLine.VatRate.choices).get(rate, rate)


@register.filter
def amount(value, minimum_places=0):
    """A quantity or unit price without the trailing zeros of its column: 573,032000 → 573,032;
    ``|amount:2`` keeps at least two places (70,76000000 → 70,76; 64 → 64,00)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = max(int(minimum_places), -value.normalize().as_tuple().exponent, 0)
    return number_format(value, decimal_pos=places, force_grouping=True).replace("-", MINUS)


@register.filter
def nrb(value):
    """26 account digits in groups: 12 3456 7890 1234 5678 9012 3456."""
    return format_nrb(value or "")


@register.filter
def wrap_after(value, separator):
    """A long number that may wrap only after its separators, never inside a part: a KSeF number under its
    QR code (``|wrap_after:"-"`` → 5265877635-<wbr>20250826-<wbr>0100001AF629-<wbr>AF), an invoice number
    in a heading on a phone (``|wrap_after:"/"``)."""
    *parts, last = str(value).split(separator)
    return format_html_join("", "{}{}<wbr>", ((part, separator) for part in parts)) + conditional_escape(last)


# A document number inside running text: capitals, then parts after slashes (FV/2026/03/0001,
# KOR/JAW/2026/06/000123/01). Line breaking may split a text after a slash; a number must not be.
DOCUMENT_NUMBER = re.compile(r"\b[A-ZĄĆĘŁŃÓŚŹŻ]+(?:/[\w-]+)+")


@register.filter(needs_autoescape=True)
def keep_numbers_whole(text, autoescape=True):
    """Text with every document number in it kept on one line (``<span class="number">``, nowrap): a row
    of the statement reads "Wpłata za fakturę FV/2026/03/0001", never "FV/" above "2026/03/0001"."""
    escaped = conditional_escape(text) if autoescape else str(text)
    return mark_safe(  # noqa: S308 - the text is escaped above; only the spans are added
        DOCUMENT_NUMBER.sub(lambda match: f'<span class="number">{match.group(0)}</span>', escaped)
    )
