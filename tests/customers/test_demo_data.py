"""The demo export follows the billing contract, is deterministic, and loads all-or-nothing."""

import csv
import datetime
import io
import itertools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from consumption.models import ConsumptionReading
from customers.contract import FILES
from customers.management.commands import demo_data
from customers.models import Customer, ImportRun, MeteringPoint
from customers.validators import nip_checksum_ok
from invoices.models import Invoice, InvoiceLine, Payment
from invoices.validators import ksef_number_ok, nrb_checksum_ok

REGIONS = ("jaworzno", "bedzin-czeladz-sosnowiec")


def run(*args):
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def read(folder, name):
    with open(folder / name, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        assert reader.fieldnames == FILES[name]
        return list(reader)


def number(text):
    return Decimal(text.replace(",", ".")) if text else None


def date(text):
    return datetime.datetime.strptime(text, "%d.%m.%Y").date() if text else None


@pytest.fixture(scope="module")
def export(tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("export")
    with django_db_blocker.unblock():
        run("--no-load", "--customers", "24", "--until", "2026-10", "--output", str(folder))
    return folder


@pytest.fixture(params=REGIONS)
def region_files(request, export):
    return export / request.param


def test_it_is_deterministic_for_a_seed(export, tmp_path, db):
    run("--no-load", "--customers", "24", "--until", "2026-10", "--output", str(tmp_path / "again"))
    run("--no-load", "--customers", "24", "--until", "2026-10", "--seed", "7", "--output", str(tmp_path / "other"))
    for region in REGIONS:
        for name in FILES:
            same = (tmp_path / "again" / region / name).read_bytes()
            assert same == (export / region / name).read_bytes(), name
        assert (tmp_path / "other" / region / "faktury.csv").read_bytes() != (
            export / region / "faktury.csv"
        ).read_bytes()


def test_files_follow_the_encoding_and_delimiter_of_the_contract(region_files):
    raw = (region_files / "odbiorcy.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfkod;pododbiorca;nazwa")
    assert "Spółdzielnia".encode() in raw


def test_customers_with_and_without_sub_customers_in_each_region(region_files):
    customers = read(region_files, "odbiorcy.csv")
    assert len(customers) == 12
    subs = defaultdict(set)
    for row in customers:
        subs[row["kod"]].add(row["pododbiorca"])
        assert row["nip"] == "" or nip_checksum_ok(row["nip"]), row
    assert any(len(s) > 1 for s in subs.values())
    assert any(s == {"0000"} for s in subs.values())
    assert {row["aktywny"] for row in customers} == {"T", "N"}


def test_three_years_of_monthly_readings_with_a_seasonal_shape(region_files):
    readings = read(region_files, "odczyty.csv")
    points = {row["punkt"] for row in read(region_files, "punkty.csv")}
    assert {row["punkt"] for row in readings} == points
    by_point = defaultdict(list)
    by_month = defaultdict(list)
    for row in readings:
        start, end, used = date(row["data_od"]), date(row["data_do"]), number(row["zuzycie_gj"])
        assert start.day == 1
        assert start <= end
        assert end.month == start.month
        assert used >= 0
        assert row["rodzaj"] in ("R", "S")
        by_point[row["punkt"]].append((start, number(row["stan_licznika_gj"]), used))
        by_month[start.month].append(used)
    assert max(len(months) for months in by_point.values()) == 36
    for months in by_point.values():
        months.sort()
        # Periods do not overlap and the meter only goes up, by what was used.
        for (before, meter_before, _), (after, meter_after, used) in itertools.pairwise(months):
            assert before < after
            assert meter_after == meter_before + used
    winter, summer = sum(by_month[1]) / len(by_month[1]), sum(by_month[7]) / len(by_month[7])
    assert winter > 4 * summer
    assert {row["rodzaj"] for row in readings} == {"R", "S"}


def test_invoices_add_up_and_carry_valid_identifiers(region_files):
    invoices = {row["numer"]: row for row in read(region_files, "faktury.csv")}
    lines = defaultdict(list)
    for row in read(region_files, "pozycje.csv"):
        lines[row["numer"]].append(row)
        assert number(row["wartosc_netto"]) == (number(row["ilosc"]) * number(row["cena_netto"])).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP"
        )
    assert set(lines) == set(invoices)
    for numer, invoice in invoices.items():
        assert number(invoice["brutto"]) == number(invoice["netto"]) + number(invoice["vat"])
        assert sum(number(line["wartosc_netto"]) for line in lines[numer]) == number(invoice["netto"])
        assert [int(line["lp"]) for line in lines[numer]] == list(range(1, len(lines[numer]) + 1))
        assert nrb_checksum_ok(invoice["rachunek"])
        if date(invoice["data_wystawienia"]) >= datetime.date(2026, 2, 1):
            assert ksef_number_ok(invoice["numer_ksef"])
        else:
            assert invoice["numer_ksef"] == ""
    units = {line["jm"] for rows in lines.values() for line in rows}
    assert units == {"GJ", "MW"}


def test_a_correction_of_an_invoice_of_the_same_customer(region_files):
    invoices = {row["numer"]: row for row in read(region_files, "faktury.csv")}
    corrections = [row for row in invoices.values() if row["rodzaj"] == "KOR"]
    assert len(corrections) == 1
    correction = corrections[0]
    corrected = invoices[correction["korygowana"]]
    assert (corrected["kod"], corrected["pododbiorca"]) == (correction["kod"], correction["pododbiorca"])
    assert number(correction["brutto"]) < 0
    assert date(correction["data_wystawienia"]) > date(corrected["data_wystawienia"])


def test_payments_include_late_and_missing_ones(region_files):
    invoices = {row["numer"]: row for row in read(region_files, "faktury.csv")}
    payments = read(region_files, "wplaty.csv")
    assert len({row["id"] for row in payments}) == len(payments)
    paid = {}
    for row in payments:
        invoice = invoices[row["numer_faktury"]]
        assert (invoice["kod"], invoice["pododbiorca"]) == (row["kod"], row["pododbiorca"])
        assert number(row["kwota"]) == number(invoice["brutto"]) > 0
        paid[row["numer_faktury"]] = date(row["data"])
    demo = [
        row for row in invoices.values() if (row["kod"], row["pododbiorca"], row["rodzaj"]) == ("1001", "0000", "VAT")
    ]
    late = [row for row in demo if row["numer"] in paid and paid[row["numer"]] > date(row["termin_platnosci"])]
    missing = [row for row in demo[:-1] if row["numer"] not in paid]
    assert late
    assert missing
    assert demo[-1]["numer"] not in paid  # the newest invoice is still open


def test_it_loads_the_same_data_into_the_database(tmp_path, db):
    output = run("--customers", "8", "--until", "2026-10", "--output", str(tmp_path))
    assert "wczytano dane: 8 odbiorców" in output
    files = {name: sum(len(read(tmp_path / region, name)) for region in REGIONS) for name in FILES}
    assert Customer.objects.count() == files["odbiorcy.csv"] == 8
    assert MeteringPoint.objects.count() == files["punkty.csv"]
    assert ConsumptionReading.objects.count() == files["odczyty.csv"]
    assert Invoice.objects.count() == files["faktury.csv"]
    assert InvoiceLine.objects.count() == files["pozycje.csv"]
    assert Payment.objects.count() == files["wplaty.csv"]
    demo = Customer.objects.get(region__slug="jaworzno", number="001001", sub_code="0000")
    correction = demo.invoices.get(kind="KOR")
    assert correction.corrects.customer == demo
    assert not Customer.objects.get(region__slug="jaworzno", number="001003").active


def test_it_skips_when_data_exists_with_if_empty(owner, tmp_path):
    assert "pomijam" in run("--if-empty", "--output", str(tmp_path))
    assert Customer.objects.count() == 1
    assert not (tmp_path / "jaworzno").exists()


def test_it_refuses_to_load_into_a_database_with_customers(owner, tmp_path):
    with pytest.raises(CommandError, match="tylko do pustej bazy"):
        run("--output", str(tmp_path))
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customers", "5"], "co najmniej 6"),
        (["--until", "2026-13"], "RRRR-MM"),
        (["--until", "listopad"], "RRRR-MM"),
        (["--months", "0"], "od 1 do 240"),
    ],
)
def test_it_rejects_bad_arguments_with_a_clear_message(args, message, tmp_path, db):
    with pytest.raises(CommandError, match=message):
        run(*args, "--output", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert not Customer.objects.exists()


def test_it_goes_through_import_billing_and_records_the_runs(tmp_path, db):
    run("--customers", "8", "--until", "2026-10", "--output", str(tmp_path))
    runs = ImportRun.objects.order_by("region__slug")
    assert [(r.region.slug, r.result, r.started_by) for r in runs] == [
        ("bedzin-czeladz-sosnowiec", "ok", "demo_data"),
        ("jaworzno", "ok", "demo_data"),
    ]
    assert sum(r.created for r in runs) == sum(
        len(read(tmp_path / region, name)) for region in REGIONS for name in FILES
    )


def test_a_failure_halfway_leaves_no_data_and_no_files(tmp_path, db, monkeypatch):
    imported = []

    def import_then_fail(**kwargs):
        if imported:
            raise RuntimeError("disk full")
        imported.append(kwargs["region"])
        return real_import(**kwargs)

    real_import = demo_data.billing_import
    monkeypatch.setattr(demo_data, "billing_import", import_then_fail)
    with pytest.raises(RuntimeError):
        run("--customers", "8", "--output", str(tmp_path / "out"))
    assert len(imported) == 1
    assert not Customer.objects.exists()
    assert not Invoice.objects.exists()
    assert not ImportRun.objects.exists()
    assert not (tmp_path / "out" / "jaworzno").exists()
    assert [p for p in Path(tmp_path).iterdir() if p.name.startswith(".")] == []
