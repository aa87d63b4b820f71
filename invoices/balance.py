"""A customer's balance: what each invoice still owes, what is overdue, what was overpaid and where it went.

The rules (the billing system books payments this way, and the portal shows them the same way):

1. An invoice and the corrections that correct it (directly or through another correction) form one
   *group*. The group owes the sum of their gross amounts: a correction's negative gross reduces what
   is owed on the corrected invoice first, a positive one adds to it.
2. A payment that names an invoice (or one of its corrections) settles that group; partial payments add up.
3. What a group owes after its own payments is ``owed − paid``. Below zero (paid more than owed, e.g.
   after a lowering correction) the surplus is an overpayment, a *credit*.
4. A payment that names no invoice is a credit too.
5. Credits are applied to the groups that still owe, the oldest due date first (then issue date,
   number), the oldest credit first, partially where a credit or a debt runs out (Kodeks cywilny
   art. 451 § 3, and the utility's terms). What a group still owes is then
   ``owed − paid − credited`` (*to pay*, and *overdue* once the due date of the group's invoice has
   passed); what no debt took stays an overpayment for the next invoices.
6. The balance shows *to pay* (of which *overdue*), the overpayment left, and each application. Money
   is conserved: ``to pay − overpaid`` is the sum of all gross amounts minus all payments.

Everything is computed from two queries whatever the number of invoices (the rows are small).
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import router
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoices.templatetags.money import zl

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


class Lookups:
    """Attributes answered as keys too, for the lists' templates: Django's template engine tries
    ``object[name]`` before ``object.name``, and the TypeError a dataclass raises there, caught, was a fifth
    of the invoice list's rows. A missing name is a KeyError, so the template still prints nothing."""

    def __getitem__(self, name):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass
class Document(Lookups):
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

    @cached_property
    def state(self):
        return State.CORRECTION if self.is_correction else self.group.state

    @property
    def state_label(self):
        return State.LABELS[self.state]


@dataclass
class PaymentRow:
    """One payment as the balance and the statement need it."""

    invoice_id: int | None
    date: datetime.date
    billing_id: str
    amount: Decimal
    title: str
    invoice: Document = None  # None: it names no invoice (of this customer)

    FIELDS = ("invoice_id", "date", "billing_id", "amount", "title")


@dataclass(eq=False)
class Group(Lookups):
    """An invoice with its corrections, the payments that settle them and the credits applied to them.

    What it has been credited and has passed on, what is outstanding and its state are computed once, when
    first read: the Ledger reads none of them while it builds the groups (only ``own_outstanding``), and a
    list page reads each several times a row."""

    invoice: Document
    today: datetime.date
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    last_date: datetime.date = datetime.date.min  # of its newest document or payment
    documents: list = field(default_factory=list, repr=False)  # newest first
    received: list = field(default_factory=list, repr=False)  # applications of credits to this group
    given: list = field(default_factory=list, repr=False)  # applications of this group's surplus to others

    @property
    def own_outstanding(self):
        """What the group owes after its own payments, before any credit: below zero it has a surplus."""
        return self.owed - self.paid

    @cached_property
    def credited(self):
        return sum((application.amount for application in self.received), ZERO)

    @cached_property
    def passed_on(self):
        return sum((application.amount for application in self.given), ZERO)

    @cached_property
    def outstanding(self):
        """What is left to pay once credits are applied (above zero), or the surplus not yet applied."""
        return self.own_outstanding - self.credited + self.passed_on

    @property
    def applications(self):
        return self.received + self.given

    @property
    def due_date(self):
        return self.invoice.due_date

    @property
    def surplus(self):
        """Paid above what the group owes and not applied elsewhere (an overpayment), as a positive amount."""
        return max(-self.outstanding, ZERO)

    @property
    def latest_lowering_correction(self):
        """The newest correction that lowered the group: the usual cause of its surplus."""
        return next((d for d in self.documents if d.is_correction and d.gross < 0), None)

    @property
    def state_label(self):
        return State.LABELS[self.state]

    @cached_property
    def state(self):
        if self.outstanding <= 0:
            return State.PAID
        return State.OVERDUE if self.due_date < self.today else State.DUE


@dataclass(eq=False)
class Credit:
    """Money of the customer's to apply: a group's surplus or a payment that names no invoice."""

    date: datetime.date
    amount: Decimal
    group: Group = None
    payment: PaymentRow = None


@dataclass(frozen=True, eq=False)
class Application:
    """Part of a credit applied to a group that owes."""

    credit: Credit
    group: Group
    amount: Decimal

    @property
    def date(self):
        """When both existed: the credit, and the invoice it went to."""
        return max(self.credit.date, self.group.invoice.issue_date)

    @property
    def description(self):
        target = self.group.invoice
        values = {
            "amount": zl(self.amount),
            "number": target.number,
            "due": formats.date_format(target.due_date, "d.m.Y"),
        }
        if self.credit.payment:
            values["payment"] = self.credit.payment.billing_id
            return (
                gettext(
                    "Wpłata %(payment)s bez wskazanej faktury: %(amount)s zaliczono na fakturę %(number)s "
                    "(termin %(due)s)."
                )
                % values
            )
        source = self.credit.group
        correction = source.latest_lowering_correction
        if correction:
            values["correction"] = correction.number
            return (
                gettext(
                    "Nadpłata %(amount)s po korekcie %(correction)s została zaliczona na fakturę %(number)s "
                    "(termin %(due)s)."
                )
                % values
            )
        values["source"] = source.invoice.number
        return (
            gettext(
                "Nadpłata %(amount)s na fakturze %(source)s została zaliczona na fakturę %(number)s (termin %(due)s)."
            )
            % values
        )


def allocate(credits, debts):
    """Apply `credits` to `debts` (both positive amounts, each list in the order to use it): the first credit
    to the first debt until one runs out, then on. Returns ``(credit index, debt index, amount)`` triples."""
    applications = []
    left = list(debts)
    debt = 0
    for index, credit in enumerate(credits):
        while credit > 0 and debt < len(left):
            amount = min(credit, left[debt])
            if amount > 0:
                applications.append((index, debt, amount))
            credit -= amount
            left[debt] -= amount
            if left[debt] <= 0:
                debt += 1
    return applications


@dataclass(frozen=True)
class Balance:
    to_pay: Decimal
    overdue: Decimal
    overpaid: Decimal
    payment_account: str
    applications: tuple = ()

    @property
    def net(self):
        """Positive: the customer owes this much; negative: the company does."""
        return self.to_pay - self.overpaid


class CustomerRows:
    """``customer.<related>.order_by(*order).values_list(*fields)``, its SQL built once per database.

    Building and compiling a query cost twice what running it costs (~0.7 ms against ~0.4 ms on
    PostgreSQL, for a customer's dozen rows), and every Pulpit and Faktury runs the Ledger's two. The SQL
    is Django's own, compiled for a placeholder customer; each call runs it for the customer on the
    database the router picks for that read (the replica or the primary, as the related manager would),
    through the connection's cursor (so counted and wrapped like any query), and converts the rows with
    the converters Django's values_list applies.
    """

    def __init__(self, related, order, fields):
        self.related, self.order, self.fields = related, order, fields
        self.compiled = {}  # database alias -> (query, SQL, selected columns)

    def __call__(self, customer):
        model = customer._meta.get_field(self.related).related_model
        alias = router.db_for_read(model, instance=customer)  # what customer.<related> would read from
        if alias not in self.compiled:
            self.compiled[alias] = self._compile(customer, alias)
        query, sql, columns = self.compiled[alias]
        compiler = query.get_compiler(using=alias)  # on this thread's connection, for the converters
        with compiler.connection.cursor() as cursor:
            cursor.execute(sql, (customer.pk,))
            rows = cursor.fetchall()
        if converters := compiler.get_converters(columns):
            rows = compiler.apply_converters(rows, converters)
        return [tuple(row) for row in rows]

    def _compile(self, customer, alias):
        placeholder = 0  # the only parameter: the customer's key
        queryset = getattr(customer.__class__(pk=placeholder), self.related).using(alias)
        query = queryset.order_by(*self.order).values_list(*self.fields).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if tuple(params) != (placeholder,):
            raise ValueError(f"customer.{self.related}'s query has parameters besides the customer: {params}")
        return query, sql, [column for column, _, _ in compiler.select[: compiler.col_count]]


INVOICE_ROWS = CustomerRows("invoices", ("-issue_date", "-number"), Document.FIELDS)
PAYMENT_ROWS = CustomerRows("payments", ("date", "billing_id"), PaymentRow.FIELDS)


class Ledger:
    """All of one customer's documents and payments, with the rules of the module docstring."""

    def __init__(self, customer, *, today=None):
        self.customer = customer
        self.today = today or timezone.localdate()
        self.documents = [Document(*row) for row in INVOICE_ROWS(customer)]
        self.by_pk = {document.pk: document for document in self.documents}
        self.payments = [PaymentRow(*row) for row in PAYMENT_ROWS(customer)]
        for payment in self.payments:
            payment.amount = _money(payment.amount)
            payment.invoice = self.by_pk.get(payment.invoice_id)
        self._group()
        self._apply_credits()

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
            group.documents.append(document)
            group.last_date = max(group.last_date, document.issue_date)
            document.group = group
        for payment in self.payments:
            if payment.invoice:
                group = payment.invoice.group
                group.paid += payment.amount
                group.last_date = max(group.last_date, payment.date)

    def _apply_credits(self):
        credits = [Credit(p.date, p.amount, payment=p) for p in self.payments if p.invoice is None]
        credits += [
            Credit(g.last_date, -g.own_outstanding, group=g) for g in self.groups.values() if g.own_outstanding < 0
        ]
        credits.sort(key=lambda c: (c.date, c.group.invoice.number if c.group else c.payment.billing_id))
        debts = sorted(
            (g for g in self.groups.values() if g.own_outstanding > 0),
            key=lambda g: (g.due_date, g.invoice.issue_date, g.invoice.number),
        )
        self.credits = credits
        self.applications = []
        triples = allocate([c.amount for c in credits], [g.own_outstanding for g in debts])
        for credit_index, debt_index, amount in triples:
            application = Application(credits[credit_index], debts[debt_index], amount)
            application.group.received.append(application)
            if application.credit.group:
                application.credit.group.given.append(application)
            self.applications.append(application)

    def balance(self):
        to_pay = overdue = ZERO
        for group in self.groups.values():
            if group.outstanding > 0:
                to_pay += group.outstanding
                if group.state == State.OVERDUE:
                    overdue += group.outstanding
        applied = sum((application.amount for application in self.applications), ZERO)
        overpaid = sum((credit.amount for credit in self.credits), ZERO) - applied
        newest_account = next((d.payment_account for d in self.documents if d.payment_account), "")
        return Balance(
            to_pay=to_pay,
            overdue=overdue,
            overpaid=overpaid,
            payment_account=newest_account,
            applications=tuple(self.applications),
        )

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


def invoice_url_prefix():
    """The address of an invoice's page before its public_id: the lists write ``prefix``, the public_id and
    "/" rather than ``{% url 'invoices:detail' %}`` on every row (the same address; reverse() costs ~30 µs)."""
    marker = str(uuid.UUID(int=0))
    prefix, found, rest = reverse("invoices:detail", args=[marker]).rpartition(marker)
    if not found or rest != "/":
        raise ValueError(f"invoices:detail no longer ends in <public_id>/: {prefix}{found}{rest}")
    return prefix


def dashboard_context(customer, *, latest=5):
    """What Pulpit shows of invoices: the balance, the account to pay to, the newest invoices."""
    ledger = Ledger(customer)
    return {
        "balance": ledger.balance(),
        "latest_invoices": ledger.documents[:latest],
        "invoice_url_prefix": invoice_url_prefix(),
    }
