"""A customer's balance: what each invoice still owes, what is overdue, what was overpaid.

The rules (the billing system books payments this way, and the portal shows them the same way):

1. An invoice and the corrections that correct it (directly or through another correction) form one
   *group*. The group owes the sum of their gross amounts: a correction's negative gross reduces what
   is owed on the corrected invoice, a positive one adds to it.
2. A payment that names an invoice (or one of its corrections) settles that group; partial payments add up.
3. What a group still owes is ``owed − paid``. Above zero it is *to pay*, and *overdue* once the due
   date of the group's invoice has passed; below zero (paid more than owed, e.g. after a lowering
   correction) the surplus is an overpayment.
4. A payment that names no invoice goes to the general balance: it is an overpayment until the billing
   system assigns it to an invoice.
5. The balance shows *to pay* (of which *overdue*) and *overpaid* side by side; the net figure is
   ``to pay − overpaid``, positive when the customer owes, negative when the company does.

Everything is computed from two queries whatever the number of invoices (the rows are small).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class State:
    PAID = "paid"
    DUE = "due"
    OVERDUE = "overdue"
    CORRECTION = "correction"

    LABELS = {
        PAID: _("zapłacona"),
        DUE: _("do zapłaty"),
        OVERDUE: _("po terminie"),
        CORRECTION: _("korekta"),
    }


@dataclass
class Document:
    """One invoice or correction as the lists need it (no lines, no XML)."""

    pk: int
    public_id: object
    number: str
    kind: str
    corrects_id: int | None
    issue_date: datetime.date
    period_from: datetime.date | None
    period_to: datetime.date | None
    due_date: datetime.date
    gross: Decimal
    payment_account: str
    group: "Group" = None
    corrects: "Document" = None
    corrections: list = field(default_factory=list)

    FIELDS = (
        "pk",
        "public_id",
        "number",
        "kind",
        "corrects_id",
        "issue_date",
        "period_from",
        "period_to",
        "due_date",
        "gross",
        "payment_account",
    )

    @property
    def is_correction(self):
        return self.kind == "KOR"

    @property
    def state(self):
        return State.CORRECTION if self.is_correction else self.group.state

    @property
    def state_label(self):
        return State.LABELS[self.state]


@dataclass
class Group:
    """An invoice with its corrections, and the payments that settle them."""

    invoice: Document
    today: datetime.date
    owed: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def outstanding(self):
        return self.owed - self.paid

    @property
    def due_date(self):
        return self.invoice.due_date

    @property
    def surplus(self):
        """Paid above what the group owes (an overpayment), as a positive amount."""
        return max(-self.outstanding, ZERO)

    @property
    def state_label(self):
        return State.LABELS[self.state]

    @property
    def state(self):
        if self.outstanding <= 0:
            return State.PAID
        return State.OVERDUE if self.due_date < self.today else State.DUE


@dataclass(frozen=True)
class Balance:
    to_pay: Decimal
    overdue: Decimal
    overpaid: Decimal
    payment_account: str

    @property
    def net(self):
        """Positive: the customer owes this much after overpayments; negative: the company does."""
        return self.to_pay - self.overpaid

    @property
    def net_abs(self):
        return abs(self.net)


class Ledger:
    """All of one customer's documents and payment totals, with the rules of the module docstring."""

    def __init__(self, customer, *, today=None):
        self.customer = customer
        self.today = today or timezone.localdate()
        rows = customer.invoices.order_by("-issue_date", "-number").values_list(*Document.FIELDS)
        self.documents = [Document(*row) for row in rows]
        self.by_pk = {document.pk: document for document in self.documents}
        paid = customer.payments.order_by().values("invoice_id").annotate(total=Sum("amount"))
        self.paid_by_invoice = {row["invoice_id"]: _money(row["total"]) for row in paid}
        self._group()

    def _root(self, document):
        seen = set()
        while document.corrects_id in self.by_pk and document.pk not in seen:
            seen.add(document.pk)
            document = self.by_pk[document.corrects_id]
        return document

    def _group(self):
        self.groups = {}
        for document in self.documents:
            if document.corrects_id in self.by_pk:
                document.corrects = self.by_pk[document.corrects_id]
                document.corrects.corrections.insert(0, document)  # oldest correction first
        for document in self.documents:
            root = self._root(document)
            group = self.groups.get(root.pk) or self.groups.setdefault(root.pk, Group(root, self.today))
            group.owed += document.gross
            group.paid += self.paid_by_invoice.get(document.pk, ZERO)
            document.group = group

    def balance(self):
        to_pay = overdue = ZERO
        overpaid = self.paid_by_invoice.get(None, ZERO)
        for group in self.groups.values():
            if group.outstanding > 0:
                to_pay += group.outstanding
                if group.state == State.OVERDUE:
                    overdue += group.outstanding
            else:
                overpaid -= group.outstanding
        newest_account = next((d.payment_account for d in self.documents if d.payment_account), "")
        return Balance(to_pay=to_pay, overdue=overdue, overpaid=overpaid, payment_account=newest_account)

    def years(self):
        return sorted({document.issue_date.year for document in self.documents}, reverse=True)

    def select(self, *, year=None, paid=None):
        """Documents newest first, of one issue year and/or whose group is (un)paid."""
        documents = self.documents
        if year:
            documents = [d for d in documents if d.issue_date.year == year]
        if paid is not None:
            documents = [d for d in documents if (d.group.outstanding <= 0) == paid]
        return documents


def _money(value):
    return (value or ZERO).quantize(CENT)


def dashboard_context(customer, *, latest=5):
    """What Pulpit shows of invoices: the balance, the account to pay to, the newest invoices."""
    ledger = Ledger(customer)
    return {"balance": ledger.balance(), "latest_invoices": ledger.documents[:latest]}
