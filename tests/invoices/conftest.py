"""Invoices and payments for the fixed cast (tests/conftest.py), and a private media folder per test."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from invoices.models import Invoice, InvoiceLine, Payment

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_24 = FIXTURES / "FA_3_Przykład_24.xml"
# The QR URL of sample 24 as spec/ksef.md gives it.
SAMPLE_24_QR = "https://qr.ksef.mf.gov.pl/invoice/9999999999/28-02-2026/D3t0xmiaLwf2Zs7SzsFD40N_lyijwQen3zJ0F9sNtGk"
TODAY = datetime.date(2026, 11, 20)
OWNER_ACCOUNT = "61109010140000071219812874"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_invoice(customer, number="FV/2026/10/0001", *, gross="1230.00", lines=True, **fields):
    """An invoice of `customer`; net and VAT follow from `gross` at 23 % (a correction may be negative)."""
    gross = Decimal(gross)
    net = (gross / Decimal("1.23")).quantize(Decimal("0.01"))
    values = {
        "region": customer.region,
        "number": number,
        "customer": customer,
        "issue_date": datetime.date(2026, 11, 3),
        "period_from": datetime.date(2026, 10, 1),
        "period_to": datetime.date(2026, 10, 31),
        "due_date": datetime.date(2026, 11, 17),
        "net": net,
        "vat": gross - net,
        "gross": gross,
        "payment_account": OWNER_ACCOUNT,
        **Invoice.seller_copy(customer.region),  # as the imports copy it
    }
    if fields.get("corrects"):
        values["kind"] = "KOR"
    values.update(fields)
    invoice = Invoice.objects.create(**values)
    if lines:
        InvoiceLine.objects.create(
            invoice=invoice,
            position=1,
            name="Ciepło — zużycie",
            unit="GJ",
            quantity=Decimal("12.345"),
            unit_net_price=Decimal("64.18"),
            net_value=net,
            vat_rate="23",
        )
    return invoice


def make_payment(customer, amount, *, invoice=None, date=datetime.date(2026, 11, 10), billing_id=None, title=""):
    billing_id = billing_id or f"P{Payment.objects.count() + 1:05d}"
    return Payment.objects.create(
        region=customer.region,
        billing_id=billing_id,
        customer=customer,
        date=date,
        amount=Decimal(amount),
        invoice=invoice,
        title=title,
    )


def overpaid_beside_overdue(customer):
    """Issue 14: a paid invoice lowered by a correction beside an unpaid, overdue invoice."""
    paid = make_invoice(
        customer,
        "FV/2025/06/0002",
        gross="10000.00",
        issue_date=datetime.date(2025, 6, 30),
        due_date=datetime.date(2025, 7, 15),
    )
    make_payment(
        customer,
        "10000.00",
        invoice=paid,
        date=datetime.date(2025, 7, 10),
        billing_id="1000000007",
        title="Zapłata za fakturę FV/2025/06/0002",  # as the billing system titles payments
    )
    make_invoice(
        customer,
        "KOR/2025/08/0001",
        gross="-1665.96",
        corrects=paid,
        issue_date=datetime.date(2025, 8, 20),
        due_date=datetime.date(2025, 9, 3),
    )
    return make_invoice(
        customer,
        "FV/2025/10/0003",
        gross="60588.87",
        issue_date=datetime.date(2025, 10, 31),
        due_date=datetime.date(2025, 11, 15),
    )


def make_ksef_invoice(customer, **fields):
    """An invoice imported from KSeF: the sample's exact bytes are kept."""
    values = {
        "number": "FV2026/02/150",
        "gross": "53.63",
        "issue_date": datetime.date(2026, 2, 28),
        "due_date": datetime.date(2026, 3, 15),
        "ksef_number": "5265877635-20250826-0100001AF629-AF",
        "ksef_xml": SAMPLE_24.read_bytes(),
    }
    values.update(fields)
    return make_invoice(customer, **values)


@pytest.fixture
def invoice(owner):
    return make_invoice(owner)


@pytest.fixture
def foreign_invoices(sibling, stranger):
    """Invoices (with KSeF XML) of the sub-customer and of the other region's 001234: never visible to `owner`."""
    return [
        make_ksef_invoice(sibling, number="FV/OBCY/1", ksef_number=""),
        make_ksef_invoice(stranger, number="FV/OBCY/2", ksef_number=""),
    ]
