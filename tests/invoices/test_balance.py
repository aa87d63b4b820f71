"""The payment and balance rules of invoices/balance.py, one rule per test."""

import datetime
from decimal import Decimal

import pytest
from django.template import engines

from invoices.balance import INVOICE_ROWS, PAYMENT_ROWS, Document, Ledger, PaymentRow, State
from tests.invoices.conftest import OWNER_ACCOUNT, TODAY, make_invoice, make_payment, overpaid_beside_overdue


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


# -- overpayments are applied to the oldest due invoices (rule 5) ------------------------------------------


def test_a_corrections_overpayment_is_applied_to_the_overdue_invoice(owner):
    overdue = overpaid_beside_overdue(owner)
    result = ledger(owner)
    balance = result.balance()
    assert (balance.to_pay, balance.overdue, balance.overpaid) == (Decimal("58922.91"), Decimal("58922.91"), 0)
    assert [a.description for a in balance.applications] == [
        "Nadpłata 1\xa0665,96\xa0zł po korekcie KOR/2025/08/0001 została zaliczona na fakturę FV/2025/10/0003 "
        "(termin 15.11.2025)."
    ]
    assert balance.applications[0].date == datetime.date(2025, 10, 31)  # when the invoice it went to was issued
    assert result.by_pk[overdue.pk].group.outstanding == Decimal("58922.91")


def test_credits_go_to_the_oldest_due_date_first_then_issue_date_and_number(owner):
    make_invoice(owner, "FV/C", gross="100.00", due_date=datetime.date(2026, 10, 1))
    make_invoice(
        owner, "FV/B", gross="100.00", due_date=datetime.date(2026, 9, 1), issue_date=datetime.date(2026, 8, 2)
    )
    make_invoice(
        owner, "FV/A", gross="100.00", due_date=datetime.date(2026, 9, 1), issue_date=datetime.date(2026, 8, 3)
    )
    make_invoice(
        owner, "FV/0", gross="100.00", due_date=datetime.date(2026, 9, 1), issue_date=datetime.date(2026, 8, 3)
    )
    make_payment(owner, "250.00")
    applications = ledger(owner).balance().applications
    assert [(a.group.invoice.number, a.amount) for a in applications] == [
        ("FV/B", Decimal("100.00")),
        ("FV/0", Decimal("100.00")),
        ("FV/A", Decimal("50.00")),  # partially
    ]


def test_several_credits_are_used_oldest_first_and_split_across_invoices(owner):
    first = make_invoice(owner, "FV/1", gross="300.00", due_date=datetime.date(2026, 9, 1))
    second = make_invoice(owner, "FV/2", gross="300.00", due_date=datetime.date(2026, 10, 1))
    make_payment(owner, "100.00", date=datetime.date(2026, 9, 20), billing_id="W-LATER")
    make_payment(owner, "250.00", date=datetime.date(2026, 9, 10), billing_id="W-EARLY")
    result = ledger(owner)
    assert [(a.credit.payment.billing_id, a.group.invoice.number, a.amount) for a in result.applications] == [
        ("W-EARLY", "FV/1", Decimal("250.00")),
        ("W-LATER", "FV/1", Decimal("50.00")),
        ("W-LATER", "FV/2", Decimal("50.00")),
    ]
    assert result.by_pk[first.pk].state == State.PAID
    assert result.by_pk[second.pk].group.outstanding == Decimal("250.00")
    assert [d.number for d in result.select(paid=True)] == ["FV/1"]


def test_a_credit_larger_than_every_debt_leaves_the_rest_as_overpayment(owner):
    make_invoice(owner, "FV/1", gross="100.00")
    make_payment(owner, "350.00")
    balance = ledger(owner).balance()
    assert (balance.to_pay, balance.overdue, balance.overpaid, balance.net) == (
        0,
        0,
        Decimal("250.00"),
        Decimal("-250.00"),
    )
    assert [a.amount for a in balance.applications] == [Decimal("100.00")]


def test_without_debts_a_credit_stays_whole(owner):
    invoice = make_invoice(owner, gross="100.00")
    make_payment(owner, "130.00", invoice=invoice)
    balance = ledger(owner).balance()
    assert (balance.to_pay, balance.overpaid, balance.applications) == (0, Decimal("30.00"), ())


def test_a_correction_lowers_its_own_invoice_before_anything_else(owner):
    older = make_invoice(owner, "FV/1", gross="100.00", due_date=datetime.date(2026, 9, 1))
    corrected = make_invoice(owner, "FV/2", gross="500.00", due_date=datetime.date(2026, 10, 1))
    make_invoice(owner, "KOR/2", gross="-200.00", corrects=corrected)
    result = ledger(owner)
    assert result.applications == []
    assert result.by_pk[older.pk].group.outstanding == Decimal("100.00")
    assert result.by_pk[corrected.pk].group.outstanding == Decimal("300.00")


def test_the_group_that_gave_its_surplus_keeps_only_what_is_left(owner):
    paid = make_invoice(owner, "FV/1", gross="100.00", due_date=datetime.date(2026, 9, 1))
    make_payment(owner, "180.00", invoice=paid)
    other = make_invoice(owner, "FV/2", gross="50.00", due_date=datetime.date(2026, 10, 1))
    result = ledger(owner)
    assert (result.by_pk[paid.pk].group.surplus, result.by_pk[paid.pk].group.passed_on) == (
        Decimal("30.00"),
        Decimal("50.00"),
    )
    assert result.by_pk[other.pk].group.credited == Decimal("50.00")
    assert result.balance().overpaid == Decimal("30.00")
    assert result.applications[0].description == (
        "Nadpłata 50,00\xa0zł na fakturze FV/1 została zaliczona na fakturę FV/2 (termin 01.10.2026)."
    )


def test_the_ledger_reads_the_rows_the_orm_reads(owner, stranger):
    invoice = make_invoice(owner, "FV/1", gross="1234567.89", period_from=None, period_to=None)
    make_invoice(owner, "KOR/1", gross="-0.01", corrects=invoice, issue_date=datetime.date(2026, 11, 20))
    make_invoice(owner, "FV/2", issue_date=datetime.date(2026, 11, 20))
    make_invoice(stranger, "FV/OBCY")
    make_payment(owner, "10.50", invoice=invoice, title="za FV/1")
    make_payment(owner, "0.01", date=datetime.date(2026, 1, 2))
    make_payment(stranger, "99.00")
    invoices = owner.invoices.order_by("-issue_date", "-number").values_list(*Document.FIELDS)
    payments = owner.payments.order_by("date", "billing_id").values_list(*PaymentRow.FIELDS)
    for compiled, orm in ((INVOICE_ROWS(owner), list(invoices)), (PAYMENT_ROWS(owner), list(payments))):
        assert compiled == orm
        assert [list(map(type, row)) for row in compiled] == [list(map(type, row)) for row in orm]
    assert INVOICE_ROWS(stranger) == list(stranger.invoices.values_list(*Document.FIELDS))


def test_the_ledgers_queries_are_counted_like_any_other(owner, django_assert_num_queries):
    make_invoice(owner)
    with django_assert_num_queries(2):
        Ledger(owner)


def test_a_document_answers_its_attributes_as_keys_for_the_templates(owner):
    invoice = make_invoice(owner, "FV/1")
    document = ledger(owner).by_pk[invoice.pk]
    assert (document["number"], document["state"], document["group"]["outstanding"]) == (
        "FV/1",
        document.state,
        document.group.outstanding,
    )
    with pytest.raises(KeyError):
        document["nothing"]
    template = engines["django"].from_string("[{{ document.nothing }}|{{ document.group.nothing }}]")
    assert template.render({"document": document}) == "[|]"
