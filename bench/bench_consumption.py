"""Benchmark of Zużycie ciepła (issue 6) on PostgreSQL: the page, its exports and the invoice list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_bench_consumption \\
        /work/main/.venv/bin/python bench/bench_consumption.py [--setup] [--runs 30]

--setup (re)creates the data with bulk SQL (PostgreSQL only): 50,000 customers in Jaworzno, each with one
metering point and 60 monthly readings and 24 monthly invoices, and one customer (001234-0000) with 10
points × 60 monthly readings (Nov 2021 – Oct 2026, some estimates) and 60 invoices. Then it measures, in
one process and interleaved so that the shared CPU treats all alike, the server time of each URL through
Django's test client (middleware, session, queries, templates; DEBUG off, cached templates), its median
and 90th percentile, and the queries each takes.

The invoice list: ``invoices:list`` when it exists; until then a stand-in, clearly labelled — the
customer's invoices newest first rendered as an equivalent table through the same portal.html.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebok.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collectstatic for a benchmark

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import NoReverseMatch, include, path, reverse  # noqa: E402

from accounts.decorators import customer_required  # noqa: E402
from accounts.models import User  # noqa: E402
from customers.models import Customer  # noqa: E402

CUSTOMERS = 50_000
BENCH_NUMBER = "001234"

SETUP_SQL = [
    "TRUNCATE invoices_payment, invoices_invoiceline, invoices_invoice, consumption_consumptionreading, "
    "customers_meteringpoint, accounts_user_groups, accounts_user_user_permissions, accounts_user, "
    "customers_customer CASCADE",
    # 50,000 customers; number 001234 is the measured one.
    """INSERT INTO customers_customer (region_id, number, sub_code, name, nip, street, postal_code, city, phone,
           active, email, email_requested_on, einvoice_consent, einvoice_consent_changed_at, created_at, updated_at)
       SELECT r.id, lpad(i::text, 6, '0'), '0000', 'Odbiorca ' || i, '', 'ul. Długa ' || i, '43-600', 'Jaworzno',
              '', true, '', NULL, false, NULL, now(), now()
       FROM customers_region r CROSS JOIN generate_series(1, %(customers)s) i WHERE r.slug = 'jaworzno'""",
    # One point each, ten for the measured customer.
    """INSERT INTO customers_meteringpoint
           (region_id, identifier, customer_id, address, tariff_group, ordered_power_mw)
       SELECT c.region_id, 'W-' || c.number || '-' || k, c.id, c.street || ', Jaworzno', 'A' || (k %% 3 + 1),
              0.05 + k * 0.01
       FROM customers_customer c
       CROSS JOIN LATERAL generate_series(1, CASE WHEN c.number = %(bench)s THEN 10 ELSE 1 END) k""",
    # 60 monthly readings per point, Nov 2021 – Oct 2026, seasonal, about 6 % estimates.
    """INSERT INTO consumption_consumptionreading
           (point_id, period_from, period_to, meter_reading_gj, consumption_gj, kind)
       SELECT p.id, d, (d + interval '1 month - 1 day')::date, 1000 + m * 12.5,
              round(((5 + 4 * cos(2 * pi() * (extract(month FROM d) - 1) / 12))
                     * (1 + (p.id %% 7) / 10.0))::numeric, 3),
              CASE WHEN (p.id + m) %% 17 = 0 THEN 'S' ELSE 'R' END
       FROM customers_meteringpoint p
       CROSS JOIN generate_series(0, 59) m
       CROSS JOIN LATERAL (SELECT (date '2021-11-01' + make_interval(months => m))::date AS d) x""",
    # Monthly invoices: 60 for the measured customer, the newest 24 for everybody else.
    # The buyer and the seller as issued, copied as the imports copy them.
    """INSERT INTO invoices_invoice (public_id, region_id, number, customer_id, kind, corrects_id, issue_date,
           period_from, period_to, due_date, net, vat, gross, ksef_number, payment_account, ksef_xml, pdf, created_at,
           buyer_name, buyer_nip, buyer_street, buyer_postal_code, buyer_city,
           seller_name, seller_nip, seller_street, seller_postal_code, seller_city, seller_phone)
       SELECT gen_random_uuid(), c.region_id, 'FV/' || to_char(d, 'YYYY/MM') || '/' || c.number, c.id, 'VAT', NULL,
              (d + interval '1 month 3 days')::date, d, (d + interval '1 month - 1 day')::date,
              (d + interval '1 month 17 days')::date, 1000 + (c.id %% 500), round((1000 + (c.id %% 500)) * 0.23, 2),
              1000 + (c.id %% 500) + round((1000 + (c.id %% 500)) * 0.23, 2), '', '', NULL, '', now(),
              c.name, c.nip, c.street, c.postal_code, c.city,
              r.seller_name, r.seller_nip, r.seller_street, r.seller_postal_code, r.seller_city, r.seller_phone
       FROM customers_customer c
       JOIN customers_region r ON r.id = c.region_id
       CROSS JOIN generate_series(CASE WHEN c.number = %(bench)s THEN 0 ELSE 36 END, 59) m
       CROSS JOIN LATERAL (SELECT (date '2021-11-01' + make_interval(months => m))::date AS d) x""",
    "ANALYZE",
]


def setup():
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in SETUP_SQL[:-1]:
            cursor.execute(sql, {"customers": CUSTOMERS, "bench": BENCH_NUMBER})
    with connection.cursor() as cursor:
        cursor.execute(SETUP_SQL[-1])
    print(f"setup: {time.perf_counter() - started:.0f} s")


STAND_IN = """{% extends "portal.html" %}{% block portal_content %}<h1>Faktury (stand-in)</h1>
<div class="table-scroll"><table><caption>Faktury</caption><thead><tr><th scope="col">Numer</th>
<th scope="col">Data wystawienia</th><th scope="col">Okres</th><th scope="col">Termin płatności</th>
<th scope="col" class="num">Netto</th><th scope="col" class="num">VAT</th><th scope="col" class="num">Brutto</th>
</tr></thead><tbody>{% for invoice in invoices %}<tr><td>{{ invoice.number }}</td>
<td>{{ invoice.issue_date|date:"d.m.Y" }}</td>
<td>{{ invoice.period_from|date:"d.m.Y" }}–{{ invoice.period_to|date:"d.m.Y" }}</td>
<td>{{ invoice.due_date|date:"d.m.Y" }}</td><td class="num">{{ invoice.net|floatformat:"2g" }} zł</td>
<td class="num">{{ invoice.vat|floatformat:"2g" }} zł</td><td class="num">{{ invoice.gross|floatformat:"2g" }} zł</td>
</tr>{% endfor %}</tbody></table></div>{% endblock %}"""


@customer_required
def invoice_list_stand_in(request):
    from django.http import HttpResponse

    template = engines["django"].from_string(STAND_IN)
    invoices = request.customer.invoices.newest_first()
    return HttpResponse(template.render({"invoices": invoices}, request))


urlpatterns = [path("bench/faktury/", invoice_list_stand_in), path("", include(settings.ROOT_URLCONF))]


def measure(client, urls, runs):
    times = {label: [] for label in urls}
    queries = {}
    for label, url in urls.items():  # warm up: templates, connections
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries[label] = (len(captured.captured_queries), len(response.content))
    for _ in range(runs):
        for label, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            times[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return times, queries


def run(runs):
    customer = Customer.objects.get(region__slug="jaworzno", number=BENCH_NUMBER, sub_code="0000")
    client = Client()
    client.force_login(User.objects.for_customer(customer))
    # No collectstatic for a benchmark: plain static URLs, as in the tests.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ROOT_URLCONF=__name__, STORAGES=storages):
        try:
            invoices = ("Faktury (invoices:list)", reverse("invoices:list"))
        except NoReverseMatch:
            invoices = ("Faktury — STAND-IN (invoices:list not on this branch)", "/bench/faktury/")
        index = reverse("consumption:index")
        point = customer.metering_points.order_by("identifier").first()
        urls = {
            "Zużycie ciepła, 10 punktów, rok 2026": index,
            "Zużycie ciepła, jeden punkt, rok 2023": f"{index}?rok=2023&punkt={point.identifier}",
            invoices[0]: invoices[1],
            "CSV, wszystkie lata (600 odczytów)": reverse("consumption:export_csv") + "?rok=wszystkie",
            "XLSX, wszystkie lata (600 odczytów)": reverse("consumption:export_xlsx") + "?rok=wszystkie",
        }
        times, queries = measure(client, urls, runs)
    print("| URL | median ms | p90 ms | queries | bytes |\n| --- | ---: | ---: | ---: | ---: |")
    for label, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"| {label} | {statistics.median(values):.1f} | {p90:.1f} | {queries[label][0]} | {queries[label][1]} |")
    page = statistics.median(times["Zużycie ciepła, 10 punktów, rok 2026"])
    print(f"\npage / invoice list = {page / statistics.median(times[invoices[0]]):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="(Re)create the benchmark data first.")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith("ebok_bench"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database named ebok_bench_*: this script empties it.")
    if args.setup:
        setup()
    run(args.runs)
