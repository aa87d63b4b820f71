"""Benchmark data for the invoices pages: 50,000 customers, one of them with 120 invoices and 150 payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_bench_invoices \\
        /work/main/.venv/bin/python bench/invoices_data.py

Creates the database if needed, migrates it and fills it once (a second run sees the data and stops).
Every other customer gets 6 invoices and 6 payments, so the heavy customer's rows sit among 300,000
others of each kind, as in production. Bulk inserts: about two minutes on the shared machine.
"""

import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

CUSTOMERS = 50_000
HEAVY = ("jaworzno", "001234", "0000")
ACCOUNT = "61109010140000071219812874"


def create_database():
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            c.execute(f'CREATE DATABASE "{db["NAME"]}"')


def add_months(day, months):
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def invoice(region, customer, number, issued, gross, **fields):
    from invoices.models import Invoice

    net = (gross / Decimal("1.23")).quantize(Decimal("0.01"))
    return Invoice(
        region=region,
        customer=customer,
        number=number,
        issue_date=issued,
        period_from=add_months(issued.replace(day=1), -1),
        period_to=issued.replace(day=1) - datetime.timedelta(days=1),
        due_date=issued + datetime.timedelta(days=14),
        net=net,
        vat=gross - net,
        gross=gross,
        payment_account=ACCOUNT,
        **fields,
    )


def fill():
    from customers.models import Customer, Region
    from invoices.models import Invoice, InvoiceLine, Payment

    started = time.perf_counter()
    regions = list(Region.objects.order_by("slug"))
    customers = []
    for n in range(CUSTOMERS):
        region = regions[n % 2]
        customers.append(Customer(region=region, number=f"{1000 + n // 2:06d}", sub_code="0000", name=f"Odbiorca {n}"))
    Customer.objects.bulk_create(customers, batch_size=5000)
    heavy = Customer.objects.get(region__slug=HEAVY[0], number=HEAVY[1], sub_code=HEAVY[2])
    heavy.name = "Spółdzielnia Mieszkaniowa „Zgoda”"
    heavy.save()
    print(f"customers: {time.perf_counter() - started:.0f} s", flush=True)

    # Everyone else: 6 monthly invoices, each paid.
    start = datetime.date(2026, 5, 4)
    batch, seq = [], 0

    def store(invoices):
        created = Invoice.objects.bulk_create(invoices)
        Payment.objects.bulk_create(
            Payment(
                region=i.region,
                customer=i.customer,
                billing_id=f"B{i.number[5:]}",
                date=i.due_date,
                amount=i.gross,
                invoice=i,
            )
            for i in created
        )

    for customer in Customer.objects.exclude(pk=heavy.pk).select_related("region").iterator(chunk_size=5000):
        for month in range(6):
            seq += 1
            batch.append(
                invoice(customer.region, customer, f"FV/B/{seq:07d}", add_months(start, month), Decimal("812.34"))
            )
        if len(batch) >= 30000:
            store(batch)
            batch = []
    store(batch)
    print(f"others' invoices and payments: {time.perf_counter() - started:.0f} s", flush=True)

    # The heavy customer: 116 monthly invoices over ten years, 4 corrections, 150 payments.
    region = heavy.region
    first = datetime.date(2017, 3, 3)
    invoices = Invoice.objects.bulk_create(
        invoice(region, heavy, f"FV/H/{m:04d}", add_months(first, m), Decimal("1000.00") + m * Decimal("12.34"))
        for m in range(116)
    )
    corrections = Invoice.objects.bulk_create(
        invoice(
            region,
            heavy,
            f"KOR/H/{k}",
            invoices[k * 25].issue_date + datetime.timedelta(days=30),
            Decimal("-123.00"),
            kind="KOR",
            corrects=invoices[k * 25],
        )
        for k in range(4)
    )
    lines = []
    for i in invoices + corrections:
        net = i.net
        parts = [net * Decimal(p) for p in ("0.55", "0.25", "0.15")]
        parts = [p.quantize(Decimal("0.01")) for p in parts]
        parts.append(net - sum(parts))
        for position, (name, value) in enumerate(
            zip(("Ciepło", "Moc zamówiona", "Przesył stały", "Przesył zmienny"), parts, strict=True), 1
        ):
            lines.append(
                InvoiceLine(
                    invoice=i,
                    position=position,
                    name=f"{name} — węzeł W-0101",
                    unit="GJ",
                    quantity=Decimal("12.345"),
                    unit_net_price=Decimal("64.18"),
                    net_value=value,
                    vat_rate="23",
                )
            )
    InvoiceLine.objects.bulk_create(lines)
    payments = []
    for n, i in enumerate(invoices[:-1]):  # the newest is unpaid
        if n % 10 == 3:  # paid in two parts
            half = (i.gross / 2).quantize(Decimal("0.01"))
            payments.append(
                Payment(region=region, customer=heavy, billing_id=f"H{n}a", date=i.due_date, amount=half, invoice=i)
            )
            payments.append(
                Payment(
                    region=region,
                    customer=heavy,
                    billing_id=f"H{n}b",
                    date=i.due_date + datetime.timedelta(days=20),
                    amount=i.gross - half,
                    invoice=i,
                )
            )
        elif n % 29 != 7:  # a few never paid
            payments.append(
                Payment(region=region, customer=heavy, billing_id=f"H{n}", date=i.due_date, amount=i.gross, invoice=i)
            )
    while len(payments) < 150:  # advance payments without an invoice
        k = len(payments)
        payments.append(
            Payment(
                region=region,
                customer=heavy,
                billing_id=f"HX{k}",
                date=add_months(first, k % 116),
                amount=Decimal("50.00"),
            )
        )
    Payment.objects.bulk_create(payments)
    print(
        f"heavy customer {heavy.code}: {heavy.invoices.count()} invoices, {heavy.payments.count()} payments; "
        f"total {time.perf_counter() - started:.0f} s"
    )


def main():
    import django

    django.setup()
    create_database()
    from django.core.management import call_command

    from customers.models import Customer

    call_command("migrate", verbosity=0)
    if Customer.objects.exists():
        print(f"Data already there: {Customer.objects.count()} customers.")
        return
    from django.db import transaction

    with transaction.atomic():
        fill()


if __name__ == "__main__":
    main()
