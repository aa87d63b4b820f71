"""Data for the load benchmark (issue 13, point 5): N customers, 24 readings and 12 invoices each, a login each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_load \\
        /work/main/.venv/bin/python bench/load_data.py --customers 50000

Creates the database when missing, migrates it, empties the billing tables and fills them with bulk SQL
(PostgreSQL only, one transaction, then ANALYZE). At 50,000 customers: 50,000 metering points, 1,200,000
monthly readings (Nov 2024 – Oct 2026, seasonal, some estimates), 600,000 monthly invoices (the newest
12, with the buyer and seller as issued, half of them paid) and 50,000 customer logins (no usable
password: the benchmark makes sessions for them directly). The regions stay as the migrations made them;
customers are spread over both. The database name must start with ``ebok_load``: this script empties it.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebok.settings")

READINGS = 24  # per customer: 1,200,000 at 50,000 customers
INVOICES = 12  # per customer: 600,000 at 50,000 customers

SQL = [
    "TRUNCATE invoices_payment, invoices_invoiceline, invoices_invoice, consumption_consumptionreading, "
    "customers_meteringpoint, accounts_onetimepassword, accounts_user_groups, accounts_user_user_permissions, "
    "django_session, accounts_user, customers_customer CASCADE",
    # Customers spread over the regions; numbers 000001 … per region, sub-code 0000.
    """INSERT INTO customers_customer (region_id, number, sub_code, name, nip, street, postal_code, city, phone,
           active, email, email_requested_on, einvoice_consent, einvoice_consent_changed_at, created_at, updated_at)
       SELECT r.id, lpad(((i - 1) / r.n + 1)::text, 6, '0'), '0000', 'Odbiorca ' || i, '',
              'ul. Długa ' || i, '43-600', r.name, '', true, 'odbiorca' || i || '@example.com', now()::date,
              false, NULL, now(), now()
       FROM (SELECT id, name, row_number() OVER (ORDER BY slug) - 1 AS k, count(*) OVER () AS n
             FROM customers_region) r
       CROSS JOIN generate_series(1, %(customers)s) i WHERE i %% r.n = r.k""",
    """INSERT INTO accounts_user (password, last_login, is_superuser, username, first_name, last_name, email,
           is_staff, is_active, date_joined, customer_id, language, otp_enrolment_until)
       SELECT '!' || md5(c.id::text), NULL, false, r.slug || '.' || c.number || '-' || c.sub_code, '', '', '',
              false, true, now(), c.id, '', NULL
       FROM customers_customer c JOIN customers_region r ON r.id = c.region_id""",
    """INSERT INTO customers_meteringpoint
           (region_id, identifier, customer_id, address, tariff_group, ordered_power_mw)
       SELECT c.region_id, 'W-' || c.id, c.id, c.street || ', ' || c.city, 'A' || (c.id %% 3 + 1), 0.05
       FROM customers_customer c""",
    """INSERT INTO consumption_consumptionreading
           (point_id, period_from, period_to, meter_reading_gj, consumption_gj, kind)
       SELECT p.id, d, (d + interval '1 month - 1 day')::date, 1000 + m * 12.5,
              round(((5 + 4 * cos(2 * pi() * (extract(month FROM d) - 1) / 12))
                     * (1 + (p.id %% 7) / 10.0))::numeric, 3),
              CASE WHEN (p.id + m) %% 17 = 0 THEN 'S' ELSE 'R' END
       FROM customers_meteringpoint p
       CROSS JOIN generate_series(0, %(readings)s - 1) m
       CROSS JOIN LATERAL (SELECT (date '2024-11-01' + make_interval(months => m))::date AS d) x""",
    """INSERT INTO invoices_invoice (public_id, region_id, number, customer_id, kind, corrects_id, issue_date,
           period_from, period_to, due_date, net, vat, gross, ksef_number, payment_account, ksef_xml, pdf, created_at,
           buyer_name, buyer_nip, buyer_street, buyer_postal_code, buyer_city,
           seller_name, seller_nip, seller_street, seller_postal_code, seller_city, seller_phone)
       SELECT gen_random_uuid(), c.region_id, 'FV/' || to_char(d, 'YYYY/MM') || '/' || c.id, c.id, 'VAT', NULL,
              (d + interval '1 month 3 days')::date, d, (d + interval '1 month - 1 day')::date,
              (d + interval '1 month 17 days')::date, 1000 + (c.id %% 500), round((1000 + (c.id %% 500)) * 0.23, 2),
              1000 + (c.id %% 500) + round((1000 + (c.id %% 500)) * 0.23, 2), '', '61109010140000071219812874',
              NULL, '', now(),
              c.name, c.nip, c.street, c.postal_code, c.city,
              r.seller_name, r.seller_nip, r.seller_street, r.seller_postal_code, r.seller_city, r.seller_phone
       FROM customers_customer c
       JOIN customers_region r ON r.id = c.region_id
       CROSS JOIN generate_series(%(readings)s - %(invoices)s, %(readings)s - 1) m
       CROSS JOIN LATERAL (SELECT (date '2024-11-01' + make_interval(months => m))::date AS d) x""",
    # Every invoice but the newest two of each customer is paid.
    """INSERT INTO invoices_payment (region_id, customer_id, billing_id, date, amount, title, invoice_id)
       SELECT i.region_id, i.customer_id, 'B' || i.id, i.due_date, i.gross, i.number, i.id
       FROM invoices_invoice i WHERE i.issue_date < date '2026-09-01'""",
]


def create_database(name, db):
    import psycopg

    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    args = parser.parse_args()
    import django
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or not db["NAME"].startswith("ebok_load"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database named ebok_load*: this script empties it.")
    create_database(db["NAME"], db)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    params = {"customers": args.customers, "readings": READINGS, "invoices": INVOICES}
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are consistent by construction: without this, PostgreSQL checks the deferred foreign keys
        # row by row at the commit (about 10 minutes of the 500,000-customer run's 30). Needs a superuser.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in SQL:
            step = time.perf_counter()
            cursor.execute(sql, params)
            print(f"{cursor.rowcount:>10,} rows  {time.perf_counter() - step:6.1f} s  {sql.split()[0:3]}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM customers_customer), (SELECT count(*) FROM consumption_consumptionreading),"
            " (SELECT count(*) FROM invoices_invoice), pg_size_pretty(pg_database_size(current_database()))"
        )
        customers, readings, invoices, size = cursor.fetchone()
    print(
        f"{db['NAME']}: {customers:,} customers, {readings:,} readings, {invoices:,} invoices, {size}; "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
