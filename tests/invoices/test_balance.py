"""The payment and balance rules of invoices/balance.py, one rule per test."""

import datetime
from decimal import Decimal

from invoices.balance import Ledger, State
from tests.invoices.conftest import OWNER_ACCOUNT, TODAY, make_invoice, make_payment


def ledger(customer, today=TODAY):
    return Ledger(customer, today=today)


def test_an_unpaid_invoice_is_to_pay_and_overdue_after_its_due_date(owner):
    make_invoice(owner, gross="1230.00", due_date=datetime.date(2026, 11, 17))
    assert ledger(owner, datetime.date(2026, 11, 17)).balance().overdue == 0
    balance = ledger(owner, datetime.date(2026, 11, 18)).balance()
    assert (balance.to_pay, balance.overdue, balance.overpaid) == (Decimal("1230.00"), Decimal("1230.00"), 0)


def test_partial_payments_add_up(owner):
    invoice = make_invoice(owner, gross="1230.00", due_date=datetime.date(2026, 12, 1))
    make_payment(owner, "200.00", invoice=invoice)
    make_payment(owner, "30.50", invoice=invoice)
    result = ledger(owner)
    assert result.balance().to_pay == Decimal("999.50")
    assert result.balance().overdue == 0
    assert result.by_pk[invoice.pk].state == State.DUE
    make_payment(owner, "999.50", invoice=invoice)
    assert ledger(owner).by_pk[invoice.pk].state == State.PAID
    assert ledger(owner).balance().to_pay == 0


def test_paying_more_than_an_invoice_is_an_overpayment(owner):
    invoice = make_invoice(owner, gross="100.00")
    make_payment(owner, "150.00", invoice=invoice)
    balance = ledger(owner).balance()
    assert (balance.to_pay, balance.overpaid, balance.net) == (0, Decimal("50.00"), Decimal("-50.00"))


def test_a_payment_without_an_invoice_is_applied_to_the_oldest_due_invoice(owner):
    invoice = make_invoice(owner, gross="100.00")
    make_payment(owner, "40.00", billing_id="W1")
    result = ledger(owner)
    balance = result.balance()
    assert result.by_pk[invoice.pk].state == State.OVERDUE
    assert result.by_pk[invoice.pk].group.outstanding == Decimal("60.00")
    assert (balance.to_pay, balance.overdue, balance.overpaid, balance.net) == (
        Decimal("60.00"),
        Decimal("60.00"),
        0,
        Decimal("60.00"),
    )
    assert [a.description for a in balance.applications] == [
        "Wpłata W1 bez wskazanej faktury: 40,00\xa0zł zaliczono na fakturę FV/2026/10/0001 (termin 17.11.2026)."
    ]


def test_a_lowering_correction_reduces_what_is_owed_on_the_corrected_invoice(owner):
    invoice = make_invoice(owner, gross="1230.00")
    correction = make_invoice(owner, "KOR/2026/11/0001", gross="-123.00", corrects=invoice)
    make_payment(owner, "1000.00", invoice=invoice)
    result = ledger(owner)
    assert result.by_pk[invoice.pk].group.outstanding == Decimal("107.00")
    assert result.by_pk[correction.pk].state == State.CORRECTION
    assert result.balance().to_pay == Decimal("107.00")


def test_a_correction_after_full_payment_leaves_an_overpayment(owner):
    invoice = make_invoice(owner, gross="1230.00")
    make_payment(owner, "1230.00", invoice=invoice)
    make_invoice(owner, "KOR/2026/11/0001", gross="-123.00", corrects=invoice)
    balance = ledger(owner).balance()
    assert (balance.to_pay, balance.overpaid) == (0, Decimal("123.00"))


def test_a_payment_naming_the_correction_settles_the_group(owner):
    invoice = make_invoice(owner, gross="100.00")
    correction = make_invoice(owner, "KOR/1", gross="23.00", corrects=invoice)
    second = make_invoice(owner, "KOR/2", gross="-3.00", corrects=correction)
    make_payment(owner, "100.00", invoice=invoice)
    make_payment(owner, "20.00", invoice=correction)
    result = ledger(owner)
    assert result.by_pk[second.pk].group is result.by_pk[invoice.pk].group
    assert result.by_pk[invoice.pk].state == State.PAID
    assert result.balance() == result.balance().__class__(0, 0, 0, OWNER_ACCOUNT)


def test_overdue_counts_only_invoices_past_their_due_date(owner):
    make_invoice(owner, "FV/1", gross="100.00", due_date=datetime.date(2026, 11, 1))
    make_invoice(owner, "FV/2", gross="50.00", due_date=datetime.date(2026, 12, 1))
    balance = ledger(owner).balance()
    assert (balance.to_pay, balance.overdue) == (Decimal("150.00"), Decimal("100.00"))


def test_other_customers_money_never_counts(owner, sibling, stranger):
    make_invoice(owner, gross="100.00")
    make_invoice(sibling, "FV/S", gross="999.00")
    make_payment(sibling, "500.00")
    make_payment(stranger, "700.00")
    balance = ledger(owner).balance()
    assert (balance.to_pay, balance.overpaid) == (Decimal("100.00"), 0)


def test_the_account_to_pay_to_is_the_newest_invoices(owner):
    make_invoice(owner, "FV/1", issue_date=datetime.date(2026, 9, 3), payment_account="")
    make_invoice(owner, "FV/2", issue_date=datetime.date(2026, 10, 3))
    assert ledger(owner).balance().payment_account == OWNER_ACCOUNT


def test_filters_by_year_and_paid(owner):
    old = make_invoice(owner, "FV/2025", issue_date=datetime.date(2025, 11, 3), due_date=datetime.date(2025, 11, 17))
    new = make_invoice(owner, "FV/2026")
    make_payment(owner, old.gross, invoice=old)
    result = ledger(owner)
    assert result.years() == [2026, 2025]
    assert [d.number for d in result.select(year=2025)] == ["FV/2025"]
    assert [d.pk for d in result.select(paid=True)] == [old.pk]
    assert [d.pk for d in result.select(paid=False)] == [new.pk]
