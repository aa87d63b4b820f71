"""Rozliczenia: invoices and payments of one customer on one timeline, with a running balance.

The balance is *what the customer owes*: an invoice adds its gross (a lowering correction's negative
gross takes it down), a payment subtracts its amount. Above zero the customer owes, below zero it
has overpaid. For a period: the opening balance is everything before its first day, then each
document in date order (invoices before payments on the same day), and the closing balance.
The whole timeline is four queries, whatever the number of documents.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


@dataclass
class Entry:
    date: datetime.date
    kind: str  # "invoice" or "payment"
    number: str
    description: str
    charge: Decimal | None
    credit: Decimal | None
    public_id: object = None  # of the invoice the entry links to
    balance: Decimal = ZERO


@dataclass
class Statement:
    customer: object
    date_from: datetime.date | None
    date_to: datetime.date | None
    opening: Decimal
    entries: list
    closing: Decimal

    @property
    def charges(self):
        return sum((e.charge for e in self.entries if e.charge is not None), ZERO)

    @property
    def credits(self):
        return sum((e.credit for e in self.entries if e.credit is not None), ZERO)


def _sum(queryset, field):
    return (queryset.aggregate(total=Sum(field))["total"] or ZERO).quantize(Decimal("0.01"))


def _in_period(queryset, field, date_from, date_to):
    if date_from:
        queryset = queryset.filter(**{f"{field}__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{field}__lte": date_to})
    return queryset


def build_statement(customer, *, date_from=None, date_to=None):
    invoices, payments = customer.invoices.order_by(), customer.payments.order_by()
    opening = ZERO
    if date_from:
        opening = _sum(invoices.filter(issue_date__lt=date_from), "gross") - _sum(
            payments.filter(date__lt=date_from), "amount"
        )
    entries = []
    invoice_rows = _in_period(invoices, "issue_date", date_from, date_to).values_list(
        "issue_date", "number", "kind", "gross", "public_id", "corrects__number"
    )
    for issued, number, kind, gross, public_id, corrected in invoice_rows:
        description = _("Korekta faktury %(number)s") % {"number": corrected} if kind == "KOR" else _("Faktura VAT")
        entries.append(Entry(issued, "invoice", number, description, gross, None, public_id))
    payment_rows = _in_period(payments, "date", date_from, date_to).values_list(
        "date", "billing_id", "amount", "title", "invoice__number", "invoice__public_id"
    )
    for paid_on, billing_id, amount, title, invoice_number, public_id in payment_rows:
        if invoice_number:
            description = _("Wpłata za fakturę %(number)s") % {"number": invoice_number}
        else:
            description = _("Wpłata bez wskazanej faktury (saldo ogólne)")
        if title:
            description = f"{description} — {title}"
        entries.append(Entry(paid_on, "payment", billing_id, description, None, amount, public_id))
    entries.sort(key=lambda e: (e.date, e.kind != "invoice", e.number))
    balance = opening
    for entry in entries:
        balance += (entry.charge or ZERO) - (entry.credit or ZERO)
        entry.balance = balance
    return Statement(customer, date_from, date_to, opening, entries, balance)
