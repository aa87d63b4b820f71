"""Rozliczenia: invoices, payments and the application of overpayments of one customer on one timeline,
with a running balance.

The balance is *what the customer owes*: an invoice adds its gross (a lowering correction's negative
gross takes it down), a payment subtracts its amount. Above zero the customer owes, below zero it
has overpaid. Applying an overpayment to an invoice (invoices/balance.py, rule 5) moves money between
them and leaves the balance as it is: its row explains, and carries no amount in the columns.
For a period: the opening balance is everything before its first day, then each entry in date order
(invoices, then payments, then applications on the same day), and the closing balance.
The whole timeline is the Ledger's two queries, whatever the number of documents.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from invoices.balance import Ledger

ZERO = Decimal("0.00")
KIND_ORDER = {"invoice": 0, "payment": 1, "application": 2}
# Words of a payment title that say no more than "payment for invoice <number>".
TITLE_FILLER = {"zapłata", "zaplata", "wpłata", "wplata", "płatność", "platnosc", "za", "fakturę", "fakture"}
TITLE_FILLER |= {"faktura", "faktury", "fv", "nr", "numer", "vat", "opłata", "oplata", "należność", "naleznosc"}


@dataclass
class Entry:
    date: datetime.date
    kind: str  # "invoice", "payment" or "application"
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


def _in_period(day, date_from, date_to):
    return (not date_from or day >= date_from) and (not date_to or day <= date_to)


def title_adds_information(title, invoice_number):
    """Whether a payment's title says more than "payment for invoice <number>" (the demo and most banks'
    "Zapłata za fakturę FV/2026/10/0001" says nothing the row does not already say)."""
    said = TITLE_FILLER | set(re.findall(r"\w+", invoice_number.casefold()))
    return any(word not in said for word in re.findall(r"\w+", title.casefold()))


def _payment_description(payment):
    if payment.invoice:
        number = payment.invoice.number
        description = _("Wpłata za fakturę %(number)s") % {"number": number}
    else:
        number = ""
        description = _("Wpłata bez wskazanej faktury (saldo ogólne)")
    if payment.title and title_adds_information(payment.title, number):
        description = _("%(description)s, tytuł: %(title)s") % {"description": description, "title": payment.title}
    return description


def build_statement(customer, *, date_from=None, date_to=None):
    ledger = Ledger(customer)
    opening = ZERO
    entries = []
    for document in ledger.documents:
        if date_from and document.issue_date < date_from:
            opening += document.gross
        elif _in_period(document.issue_date, date_from, date_to):
            if document.is_correction:
                number = document.corrects.number if document.corrects else ""
                description = _("Korekta faktury %(number)s") % {"number": number}
            else:
                description = _("Faktura VAT")
            entries.append(
                Entry(
                    document.issue_date,
                    "invoice",
                    document.number,
                    description,
                    document.gross,
                    None,
                    document.public_id,
                )
            )
    for payment in ledger.payments:
        if date_from and payment.date < date_from:
            opening -= payment.amount
        elif _in_period(payment.date, date_from, date_to):
            public_id = payment.invoice.public_id if payment.invoice else None
            description = _payment_description(payment)
            entries.append(
                Entry(payment.date, "payment", payment.billing_id, description, None, payment.amount, public_id)
            )
    for application in ledger.applications:
        if _in_period(application.date, date_from, date_to):
            target = application.group.invoice
            entries.append(
                Entry(
                    application.date,
                    "application",
                    target.number,
                    application.description,
                    None,
                    None,
                    target.public_id,
                )
            )
    entries.sort(key=lambda e: (e.date, KIND_ORDER[e.kind], e.number))
    balance = opening
    for entry in entries:
        balance += (entry.charge or ZERO) - (entry.credit or ZERO)
        entry.balance = balance
    return Statement(customer, date_from, date_to, opening, entries, balance)
