"""Speed of the invoices pages and PDFs on PostgreSQL (issue 5), on the data of bench/invoices_data.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_bench_invoices \\
        /work/main/.venv/bin/python bench/invoices_bench.py [--renders 15] [--batch 120]

Prints, for the customer with 120 invoices and 150 payments among 50,000 customers:
- queries and median time of Faktury, an invoice page, Pulpit and Rozliczenia (full stack, test client);
- the median first render of a one-page invoice PDF (service and through the download view), and the
  median download of the stored file, with their ratio measured in this run;
- the floor under that download: a logged-in request to a view that does nothing after the login checks;
- render_invoices throughput with one process and with every core, on the customer's invoices.
Stored PDFs go to a temporary MEDIA_ROOT, so the run leaves no files behind.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def median_ms(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=15, help="invoices rendered for the first-render median")
    parser.add_argument("--batch", type=int, default=120, help="invoices rendered by each render_invoices run")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import clear_url_caches, path, reverse

    import ebok.urls
    from accounts.decorators import customer_required
    from accounts.models import User
    from customers.models import Customer
    from invoices.models import Invoice
    from invoices.services import invoice_pdf, invoice_render_pdf

    setup_test_environment()
    # A customer page that does nothing: what every logged-in request pays before the view's own work.
    ebok.urls.urlpatterns.insert(0, path("bench-floor/", customer_required(lambda request: HttpResponse(b"."))))
    clear_url_caches()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="ebok-bench-media-")
    customer = Customer.objects.get(region__slug="jaworzno", number="001234", sub_code="0000")
    invoices = list(customer.invoices.order_by("-issue_date"))
    print(
        f"PostgreSQL {connection.pg_version}, {Customer.objects.count()} customers, "
        f"{Invoice.objects.count()} invoices; {customer.code}: {len(invoices)} invoices, "
        f"{customer.payments.count()} payments; cores: {os.cpu_count()}"
    )
    Invoice.objects.exclude(pdf="").update(pdf="")  # the stored files of an earlier run are not in this MEDIA_ROOT

    client = Client()
    client.force_login(User.objects.for_customer(customer))
    pages = {
        "Faktury (list)": reverse("invoices:list"),
        "Faktury, unpaid, page 2": reverse("invoices:list") + "?stan=oplacone&strona=2",
        "invoice page": reverse("invoices:detail", args=[invoices[30].public_id]),
        "Pulpit": reverse("dashboard"),
        "Rozliczenia (all)": reverse("invoices:settlements"),
        "Rozliczenia (2025)": reverse("invoices:settlements") + "?od=2025-01-01&do=2025-12-31",
    }
    print("\npage                         queries  median ms (20 requests)")
    for name, url in pages.items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        print(f"{name:28} {len(queries):7}  {median_ms(lambda url=url: client.get(url), 20):9.1f}", flush=True)

    # First renders: different invoices each time (each is rendered once), then the stored file.
    invoice_render_pdf(invoice=invoices[-1])  # warm up WeasyPrint and the templates
    sample = iter(invoices[1 : 1 + args.renders])
    service = median_ms(lambda: invoice_render_pdf(invoice=next(sample)), args.renders)
    # Through the download view, interleaved so that the machine's load affects all sides alike:
    # each invoice's first download (render and store), then five downloads of its stored file and
    # five requests to the empty customer page.
    first_times, stored_times, floor_times = [], [], []
    for invoice in invoices[1 + args.renders : 1 + 2 * args.renders]:
        url = reverse("invoices:pdf", args=[invoice.public_id])
        first_times.append(median_ms(lambda url=url: client.get(url), 1))
        for _ in range(5):
            stored_times.append(median_ms(lambda url=url: client.get(url), 1))
            floor_times.append(median_ms(lambda: client.get("/bench-floor/"), 1))
    first_view, stored_view = statistics.median(first_times), statistics.median(stored_times)
    floor = statistics.median(floor_times)
    stored_service = median_ms(lambda: invoice_pdf(invoice=invoices[1]), 50)
    print(f"\nfirst PDF render, service (median of {args.renders}): {service:.1f} ms")
    print(f"stored PDF read, service (median of 50): {stored_service:.3f} ms -> {service / stored_service:.0f}x")
    print(f"first PDF download incl. render, full stack (median of {args.renders}): {first_view:.1f} ms")
    print(f"stored PDF download, full stack (median of {5 * args.renders}): {stored_view:.2f} ms")
    print(f"ratio first download / stored download: {first_view / stored_view:.0f}x")
    print(f"logged-in request to an empty page, full stack (median of {5 * args.renders}): {floor:.2f} ms")
    print(f"ratio first download / empty page: {first_view / floor:.0f}x", flush=True)

    # render_invoices: one process, then all cores, on the same (newest) invoices of the region.
    # Alternating rounds, because other processes share the cores: each round's ratio is one measurement.
    results = {}
    cores = os.cpu_count() or 1
    for workers in (1, cores, 1, cores, 1, cores):
        Invoice.objects.exclude(pdf="").update(pdf="")
        started = time.perf_counter()
        call_command(
            "render_invoices",
            "--missing",
            "--region",
            "jaworzno",
            "--limit",
            str(args.batch),
            "--workers",
            str(workers),
            stdout=io.StringIO(),
        )
        rate = args.batch / (time.perf_counter() - started)
        results.setdefault(workers, []).append(rate)
        print(f"render_invoices --limit {args.batch} --workers {workers}: {rate:.1f} invoices/s", flush=True)
    if cores > 1:
        ratios = [parallel / single for single, parallel in zip(results[1], results[cores], strict=True)]
        print("speed-up per round: " + ", ".join(f"{ratio:.2f}x" for ratio in ratios))
        overall = statistics.median(results[cores]) / statistics.median(results[1])
        print(f"speed-up of the median throughputs: {overall:.2f}x")


if __name__ == "__main__":
    main()
