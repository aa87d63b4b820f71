import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from invoices.models import Invoice, InvoiceLine, Payment
from invoices.validators import format_nrb, ksef_checksum, ksef_number_ok, nrb_check_digits, nrb_checksum_ok


def make_invoice(customer, **fields):
    values = {
        "region": customer.region,
        "number": "FV/2026/10/0001",
        "customer": customer,
        "issue_date": datetime.date(2026, 11, 3),
        "period_from": datetime.date(2026, 10, 1),
        "period_to": datetime.date(2026, 10, 31),
        "due_date": datetime.date(2026, 11, 17),
        "net": Decimal("1000.00"),
        "vat": Decimal("230.00"),
        "gross": Decimal("1230.00"),
    }
    values.update(fields)
    return Invoice.objects.create(**values)


def test_it_rejects_gross_that_is_not_net_plus_vat(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(owner, gross=Decimal("1230.01"))


def test_it_rejects_an_inverted_period(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(owner, period_from=datetime.date(2026, 11, 1), period_to=datetime.date(2026, 10, 31))


def test_it_accepts_an_invoice_without_a_period(owner):
    assert make_invoice(owner, period_from=None, period_to=None).pk


def test_it_rejects_a_duplicate_number_in_a_region_but_not_across_regions(owner, stranger):
    make_invoice(owner)
    make_invoice(stranger)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(owner, issue_date=datetime.date(2026, 11, 4))


def test_a_correction_must_name_the_corrected_invoice(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(owner, number="KOR/2026/11/0001", kind="KOR")


def test_a_correction_may_be_negative_and_an_invoice_may_not(owner):
    original = make_invoice(owner)
    correction = make_invoice(
        owner,
        number="KOR/2026/11/0001",
        kind="KOR",
        corrects=original,
        net=Decimal("-100.00"),
        vat=Decimal("-23.00"),
        gross=Decimal("-123.00"),
    )
    assert list(original.corrections.all()) == [correction]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(owner, number="FV/2", net=Decimal("-1.00"), vat=Decimal("0.00"), gross=Decimal("-1.00"))


def test_a_ksef_number_is_unique_when_present(owner):
    make_invoice(owner, number="A", ksef_number="5265877635-20250826-0100001AF629-AF")
    make_invoice(owner, number="B")
    make_invoice(owner, number="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invoice(owner, number="D", ksef_number="5265877635-20250826-0100001AF629-AF")


def test_invoices_get_unguessable_public_ids(owner):
    first, second = make_invoice(owner), make_invoice(owner, number="FV/2")
    assert first.public_id != second.public_id
    assert first.public_id.version == 4


def test_money_stays_decimal(owner):
    invoice = Invoice.objects.get(
        pk=make_invoice(owner, net=Decimal("0.10"), vat=Decimal("0.20"), gross=Decimal("0.30")).pk
    )
    assert invoice.gross == invoice.net + invoice.vat == Decimal("0.30")


def test_newest_first(owner):
    make_invoice(owner, number="FV/2026/09/0001", issue_date=datetime.date(2026, 10, 2))
    make_invoice(owner, number="FV/2026/10/0001")
    assert [i.number for i in owner.invoices.newest_first()] == ["FV/2026/10/0001", "FV/2026/09/0001"]


def test_a_line_number_is_unique_per_invoice_and_the_rate_is_known(owner):
    invoice = make_invoice(owner)
    InvoiceLine.objects.create(invoice=invoice, position=1, name="Ciepło", net_value=Decimal("1000.00"), vat_rate="23")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(invoice=invoice, position=1, name="Dubel", net_value=Decimal("1"), vat_rate="23")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=invoice, position=2, name="Zła stawka", net_value=Decimal("1"), vat_rate="7"
        )


def test_a_payment_is_positive_and_unique_per_region(owner, stranger):
    Payment.objects.create(region=owner.region, billing_id="P1", customer=owner, date="2026-11-10", amount="10.00")
    Payment.objects.create(region=stranger.region, billing_id="P1", customer=stranger, date="2026-11-10", amount="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(region=owner.region, billing_id="P1", customer=owner, date="2026-11-11", amount="5")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(region=owner.region, billing_id="P2", customer=owner, date="2026-11-11", amount="0")


def test_full_clean_checks_ksef_and_account_numbers(owner):
    invoice = make_invoice(owner)
    invoice.ksef_number = "5265877635-20250826-0100001AF629-AE"
    invoice.payment_account = "61109010140000071219812875"
    with pytest.raises(ValidationError) as excinfo:
        invoice.full_clean()
    assert set(excinfo.value.message_dict) == {"ksef_number", "payment_account"}


def test_ksef_checksum_matches_the_ministry_example():
    assert ksef_checksum("5265877635-20250826-0100001AF629") == "AF"
    assert ksef_number_ok("5265877635-20250826-0100001AF629-AF")
    assert not ksef_number_ok("5265877635-20250826-0100001af629-AF")
    assert not ksef_number_ok("5265877635-20250826-0100001AF629-AF\n")


def test_account_numbers():
    assert nrb_checksum_ok("61109010140000071219812874")
    assert not nrb_checksum_ok("61109010140000071219812847")
    body = "109010140000071219812874"
    assert nrb_check_digits(body) == "61"
    assert format_nrb("61109010140000071219812874") == "61 1090 1014 0000 0712 1981 2874"
