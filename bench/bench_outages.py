"""Benchmark of publishing an outage for 5,000 metering points (issue 15): how long staff wait, in how many queries.

    createdb -h 127.0.0.1 -U postgres ebok_bench_outages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_bench_outages \\
        /work/main/.venv/bin/python bench/bench_outages.py [--points 5000] [--runs 15]

It empties the database it is given (a database of its own: it migrates it first), then creates --points
customers in Jaworzno, each with an enrolled address and one metering point on one of 40 streets. Each run
enters a new outage on all the points (as the admin's form does: the points, then the streets for the public
page) and publishes it: the event and one notice per customer written by one INSERT … SELECT, and the worker's
tasks, in one committed transaction. Measured: the wall time of the publishing transaction (commit included),
its queries, and the notices and tasks it queued; then the public page and the Pulpit of one affected customer
with every outage of the runs current. Nothing is sent: the worker does not run.
"""

import argparse
import datetime
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
os.environ.setdefault("EMAIL_URL", "consolemail://")

warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collectstatic for a benchmark

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import User  # noqa: E402
from customers.models import Customer, MeteringPoint, Region  # noqa: E402
from outages.models import Outage, OutageNotice  # noqa: E402
from outages.services import outage_publish, outage_refresh_areas  # noqa: E402

STREETS = 40


def setup(points):
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE outages_outagenotice, outages_outageevent, outages_outageupdate, outages_outage_points, "
            "outages_outage_reports, outages_outage, outages_noticechoice, django_tasks_database_dbtaskresult, "
            "customers_meteringpoint, accounts_user_groups, accounts_user_user_permissions, accounts_user, "
            "customers_customer CASCADE"
        )
    region = Region.objects.get(slug="jaworzno")
    requested = datetime.date(2026, 10, 1)
    customers = Customer.objects.bulk_create(
        Customer(region=region, number=f"{100000 + n:06d}", name=f"Odbiorca {n}", email=f"o{n}@bench.example",
                 email_requested_on=requested)
        for n in range(points)
    )  # fmt: skip
    MeteringPoint.objects.bulk_create(
        MeteringPoint(region=region, identifier=f"W-{n:05d}", customer=customer,
                      address=f"ul. Ulica {n % STREETS} {n // STREETS + 1}, Jaworzno")
        for n, customer in enumerate(customers)
    )  # fmt: skip
    return region, customers[0]


def publish_once(region, point_ids, number):
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with transaction.atomic():
            outage = Outage.objects.create(region=region, kind=Outage.Kind.FAILURE, title=f"Awaria {number}",
                                           starts_at=now - datetime.timedelta(hours=1),
                                           expected_end=now + datetime.timedelta(hours=8))  # fmt: skip
            outage.points.set(point_ids)
            outage_refresh_areas(outage=outage)
            entered = time.perf_counter()
            queued = outage_publish(outage=outage)
        finished = time.perf_counter()
    slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:3]
    return {
        "slowest": [(float(query["time"]) * 1000, query["sql"][:60]) for query in slowest],
        "enter": entered - started,
        "publish": finished - entered,
        "total": finished - started,
        "queries": len(queries.captured_queries),
        "queued": queued,
    }


def page_ms(client, url, runs=15):
    client.get(url)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{connection.vendor}, {args.points} points/customers, {args.runs} runs")
    started = time.perf_counter()
    region, customer = setup(args.points)
    print(f"setup {time.perf_counter() - started:.1f} s")
    point_ids = list(MeteringPoint.objects.values_list("pk", flat=True))
    results = [publish_once(region, point_ids, number) for number in range(args.runs)]
    for key in ("enter", "publish", "total"):
        values = sorted(result[key] * 1000 for result in results)
        print(f"{key:8} median {statistics.median(values):8.1f} ms   p90 {values[int(len(values) * 0.9) - 1]:8.1f} ms")
    print(f"queries per run (enter + publish): {sorted({r['queries'] for r in results})}")
    for milliseconds, sql in results[len(results) // 2]["slowest"]:
        print(f"  slowest queries of a run: {milliseconds:7.1f} ms  {sql}")
    print(f"notices queued per run: {sorted({r['queued'] for r in results})}; in all {OutageNotice.objects.count()}")
    print(f"task rows: {DBTaskResult.objects.count()}")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        pages(args, customer)


def pages(args, customer):
    client = Client()
    median, queries = page_ms(client, "/awarie-i-wylaczenia/")
    print(f"public page with {args.runs} current outages of {args.points} points: {median:.1f} ms, {queries} queries")
    client.force_login(User.objects.for_customer(customer))
    median, queries = page_ms(client, "/pulpit/")
    print(f"Pulpit of an affected customer ({args.runs} outages): {median:.1f} ms, {queries} queries")


if __name__ == "__main__":
    main()
