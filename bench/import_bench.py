"""Benchmark of import_billing on PostgreSQL: 100,000 and 1,000,000 odczyty.csv rows (with their customers
and points), against an SQL-only baseline measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_bench_import \\
        .venv/bin/python bench/import_bench.py [--rows 100000 1000000]

For each size it
1. generates the export with the demo generator (``DemoExport`` + ``ExportWriter``, deterministic; cached in
   var/bench/) and keeps odbiorcy.csv, punkty.csv and the first N rows of odczyty.csv;
2. empties the billing tables and runs ``manage.py import_billing`` as a child process: wall time and the
   child's peak RSS;
3. runs it again on the unchanged folder and compares pg_stat_user_tables' n_tup_ins/n_tup_upd of the
   tables it writes (they must not move) and the time (it must be shorter);
4. the baseline: COPY of the same odczyty.csv into a text staging table and one INSERT … SELECT … ON CONFLICT
   with casts into a table with the readings' columns and indexes (CREATE TABLE … LIKE … INCLUDING ALL).
The DATABASE_URL database is migrated and its billing tables are emptied: use a database of its own.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebok.settings")
# Production settings (DEBUG off) need a key; this one only ever signs nothing in a benchmark database.
os.environ.setdefault("SECRET_KEY", "benchmark-only-key-" + "not-used-for-anything-real" * 2)
os.environ.setdefault("EMAIL_URL", "consolemail://")  # the import sends no e-mail

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from consumption.models import ConsumptionReading  # noqa: E402
from customers.demo import DemoExport, ExportWriter  # noqa: E402
from customers.models import Customer, ImportRun, MeteringPoint  # noqa: E402
from invoices.models import Invoice, InvoiceLine, Payment  # noqa: E402

REGION = "jaworzno"
FILES = ["odbiorcy.csv", "punkty.csv", "odczyty.csv"]
WRITTEN = [Customer, MeteringPoint, ConsumptionReading]


def generate(rows, folder):
    """The demo export for enough customers to give `rows` readings, cut to exactly `rows` readings."""
    if (folder / "odczyty.csv").exists():
        return
    full = folder.with_name(folder.name + "-full")
    with ExportWriter(full) as writer:
        for account in DemoExport(REGION, customers=10**9, seed=2026, until=datetime.date(2026, 10, 1)):
            writer.write(account)
            if writer.counts["odczyty.csv"] >= rows:
                break
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES[:2]:
        (full / name).rename(folder / name)
    with open(full / "odczyty.csv", "rb") as source, open(folder / "odczyty.csv", "wb") as target:
        for number, line in enumerate(source):
            if number > rows:
                break
            target.write(line)
    for leftover in full.iterdir():
        leftover.unlink()
    full.rmdir()


def empty_tables():
    tables = ", ".join(m._meta.db_table for m in [Payment, InvoiceLine, Invoice, *reversed(WRITTEN), ImportRun])
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        cursor.execute("CHECKPOINT")
        for model in WRITTEN:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def import_child(folder):
    """(seconds, peak RSS in MB, last output line) of one `manage.py import_billing` process."""
    started = time.monotonic()
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "import_billing", str(folder), "--region", REGION],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    if status:
        raise SystemExit(f"import_billing failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip().splitlines()[-1]


def write_counters():
    """n_tup_ins + n_tup_upd + n_tup_del of the tables the import writes, once the statistics are flushed."""
    time.sleep(1.5)  # backends report their counters at most once a second
    names = [model._meta.db_table for model in WRITTEN]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relname = ANY(%s) "
            "ORDER BY relname",
            [names],
        )
        return cursor.fetchall()


def baseline(folder, *, foreign_key=False):
    """COPY into a text staging table + one INSERT … SELECT … ON CONFLICT with casts: (copy s, insert s).
    With `foreign_key` the table also has the readings' deferred foreign key to the points, as Django makes
    it (checked row by row at commit; every statement here commits on its own)."""
    readings, points = ConsumptionReading._meta.db_table, MeteringPoint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline, bench_staging")
        cursor.execute(f"CREATE TABLE bench_baseline (LIKE {readings} INCLUDING ALL)")
        if foreign_key:
            cursor.execute(
                f"ALTER TABLE bench_baseline ADD FOREIGN KEY (point_id) REFERENCES {points} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_staging (punkt text, data_od text, data_do text, stan_licznika_gj text, "
            "zuzycie_gj text, rodzaj text)"
        )
        started = time.monotonic()
        with (
            open(folder / "odczyty.csv", "rb") as handle,
            cursor.cursor.copy("COPY bench_staging FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        copied = time.monotonic()
        cursor.execute(
            f"""
            INSERT INTO bench_baseline (point_id, period_from, period_to, meter_reading_gj, consumption_gj, kind)
            SELECT p.id, to_date(s.data_od, 'DD.MM.YYYY'), to_date(s.data_do, 'DD.MM.YYYY'),
                   replace(nullif(s.stan_licznika_gj, ''), ',', '.')::numeric(14, 3),
                   replace(s.zuzycie_gj, ',', '.')::numeric(14, 3), s.rodzaj
            FROM bench_staging s JOIN {points} p ON p.identifier = s.punkt
            ON CONFLICT (point_id, period_from, period_to) DO UPDATE SET
                meter_reading_gj = excluded.meter_reading_gj, consumption_gj = excluded.consumption_gj,
                kind = excluded.kind
            """
        )
        inserted = time.monotonic()
        cursor.execute("DROP TABLE bench_baseline, bench_staging")
    return copied - started, inserted - copied


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark needs PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}, {os.cpu_count()} CPU")
    for rows in args.rows:
        folder = ROOT / "var" / "bench" / f"odczyty-{rows}"
        started = time.monotonic()
        generate(rows, folder)
        print(f"\n== {rows:,} odczyty.csv rows ({folder}, generated in {time.monotonic() - started:.0f} s)")
        empty_tables()
        first, first_rss, summary = import_child(folder)
        print(f"first import:     {first:6.1f} s, peak RSS {first_rss:5.0f} MB — {summary}")
        before = write_counters()
        second, second_rss, summary = import_child(folder)
        after = write_counters()
        print(f"unchanged import: {second:6.1f} s, peak RSS {second_rss:5.0f} MB — {summary}")
        print(f"write counters unchanged: {before == after} {after if before != after else ''}")
        copy, insert = baseline(folder)
        print(f"baseline: COPY {copy:.1f} s + INSERT … SELECT … ON CONFLICT {insert:.1f} s = {copy + insert:.1f} s")
        print(f"ratio import / baseline: {first / (copy + insert):.2f}")
        copy, insert = baseline(folder, foreign_key=True)
        print(f"baseline with the foreign key: COPY {copy:.1f} s + INSERT {insert:.1f} s = {copy + insert:.1f} s")
        print(f"ratio import / baseline with the foreign key: {first / (copy + insert):.2f}")


if __name__ == "__main__":
    main()
