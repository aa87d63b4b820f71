"""Properties of applying overpayments (invoices/balance.py, rule 5): money is conserved, no invoice goes
below zero, and credits and debts are used in order."""

import datetime
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices.balance import Ledger, allocate
from tests.invoices.conftest import TODAY, make_invoice, make_payment

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@given(credits=st.lists(amounts, max_size=8), debts=st.lists(amounts, max_size=8))
def test_allocation_conserves_money_and_keeps_the_order(credits, debts):
    applications = allocate(credits, debts)
    assert all(amount > 0 for _, _, amount in applications)
    used = [sum((a for c, _, a in applications if c == i), Decimal(0)) for i in range(len(credits))]
    paid = [sum((a for _, d, a in applications if d == j), Decimal(0)) for j in range(len(debts))]
    assert all(u <= c for u, c in zip(used, credits, strict=True))
    assert all(p <= d for p, d in zip(paid, debts, strict=True))  # no debt is paid above what it is
    assert sum(used, Decimal(0)) == min(sum(credits, Decimal(0)), sum(debts, Decimal(0)))
    assert [(c, d) for c, d, _ in applications] == sorted((c, d) for c, d, _ in applications)
    for j, (p, d) in enumerate(zip(paid, debts, strict=True)):
        if p < d:  # a debt left open: every later one got nothing
            assert not any(paid[j + 1 :])
    for i, (u, c) in enumerate(zip(used, credits, strict=True)):
        if u < c:  # a credit not used up: every later one was not touched
            assert not any(used[i + 1 :])


def test_allocation_of_nothing_is_nothing():
    assert allocate([], [Decimal("10.00")]) == []
    assert allocate([Decimal("10.00")], []) == []


invoices = st.lists(
    st.tuples(amounts, st.integers(min_value=-90, max_value=60)),  # gross, due date in days from today
    min_size=1,
    max_size=5,
)
corrections = st.lists(
    st.tuples(st.integers(min_value=0, max_value=4), st.decimals(min_value=-50000, max_value=5000, places=2)),
    max_size=3,
)
payments = st.lists(st.tuples(amounts, st.none() | st.integers(min_value=0, max_value=4)), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(invoices=invoices, corrections=corrections, payments=payments)
def test_the_balance_reconciles_and_no_invoice_goes_negative(owner, invoices, corrections, payments):
    with transaction.atomic():
        created = [
            make_invoice(owner, f"FV/{n}", gross=gross, lines=False, due_date=TODAY + datetime.timedelta(days=days))
            for n, (gross, days) in enumerate(invoices)
        ]
        for n, (index, gross) in enumerate(corrections):
            if gross:
                make_invoice(owner, f"KOR/{n}", gross=gross, lines=False, corrects=created[index % len(created)])
        for amount, index in payments:
            make_payment(owner, amount, invoice=None if index is None else created[index % len(created)])
        result = Ledger(owner, today=TODAY)
        transaction.set_rollback(True)
    balance = result.balance()
    gross = sum((d.gross for d in result.documents), Decimal(0))
    paid = sum((p.amount for p in result.payments), Decimal(0))
    assert balance.to_pay - balance.overpaid == gross - paid  # invoices − corrections − payments
    assert balance.overpaid >= 0
    assert not (balance.to_pay and balance.overpaid)  # an overpayment left means nothing is left to pay
    for group in result.groups.values():
        if group.own_outstanding > 0:
            assert 0 <= group.outstanding <= group.own_outstanding  # a debt is never paid above itself
        else:
            assert group.own_outstanding <= group.outstanding <= 0  # a surplus gives no more than it has
    assert balance.to_pay == sum((g.outstanding for g in result.groups.values() if g.outstanding > 0), Decimal(0))
