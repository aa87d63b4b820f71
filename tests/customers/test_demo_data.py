"""The demo export follows the billing contract, is deterministic, and loads all-or-nothing."""

import csv
import datetime
import io
import itertools
import re
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import zxingcpp
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image

from accounts.models import User
from consumption.models import ConsumptionReading
from customers.contract import FILES
from customers.demo.logins import DEMO_PASSWORD
from customers.management.commands import demo_data
from customers.models import Customer, ImportRun, MeteringPoint, Region
from customers.validators import nip_checksum_ok
from invoices import ksef, verification
from invoices.models import Invoice, InvoiceLine, Payment
from invoices.pdf import render_pdf
from invoices.validators import ksef_number_ok, nrb_checksum_ok
from tests.conftest import log_in, text_of
from tests.environment import needs_program

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
        xml = sorted(path.name for path in (export / region / "ksef").iterdir())
        assert xml
        for name in xml:
            assert (tmp_path / "again" / region / "ksef" / name).read_bytes() == (
                export / region / "ksef" / name
            ).read_bytes()
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
    runs = ImportRun.objects.order_by("kind", "region__slug")
    assert [(r.kind, r.region.slug, r.result, r.started_by) for r in runs] == [
        ("csv", "bedzin-czeladz-sosnowiec", "ok", "demo_data"),
        ("csv", "jaworzno", "ok", "demo_data"),
        ("ksef", "bedzin-czeladz-sosnowiec", "ok", "demo_data"),
        ("ksef", "jaworzno", "ok", "demo_data"),
    ]
    csv_runs, ksef_runs = runs[:2], runs[2:]
    assert sum(r.created for r in csv_runs) == sum(
        len(read(tmp_path / region, name)) for region in REGIONS for name in FILES
    )
    # The XML completes the invoices the CSV created: it creates none and changes nothing else.
    assert [(r.created, r.unchanged) for r in ksef_runs] == [(0, 0), (0, 0)]
    assert sum(r.updated for r in ksef_runs) == Invoice.objects.exclude(ksef_number="").count() > 0


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


# -- relative to today ------------------------------------------------------------------------


def warsaw(*args):
    return datetime.datetime(*args, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 12, 1),  # the November invoice is issued on 4 December
        datetime.date(2026, 12, 3),
        datetime.date(2026, 11, 30),  # a month's last day: its readings are complete, its invoice is not out
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2026, 3, 31),
    ],
)
def test_it_dates_nothing_after_today(today, tmp_path, db):
    with time_machine.travel(warsaw(today.year, today.month, today.day), tick=False):
        run("--no-load", "--customers", "8", "--output", str(tmp_path))
    for region in REGIONS:
        invoices = read(tmp_path / region, "faktury.csv")
        readings = read(tmp_path / region, "odczyty.csv")
        assert max(date(row["data_wystawienia"]) for row in invoices) <= today
        assert max(date(row["data"]) for row in read(tmp_path / region, "wplaty.csv")) <= today
        assert max(date(row["data_do"]) for row in readings) <= today
        # The default is the last complete month: its readings are there even before its invoice.
        last_month = date(max(readings, key=lambda row: date(row["data_do"]))["data_do"])
        assert last_month.replace(day=1) == (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        for path in (tmp_path / region / "ksef").iterdir():
            issued = ksef.parse(ksef.validate(path.read_bytes())).issue_date
            assert datetime.date.fromisoformat(issued) <= today


def test_on_1_december_the_november_invoice_is_not_there_yet(tmp_path, db):
    with time_machine.travel(warsaw(2026, 12, 1), tick=False):
        run("--customers", "6", "--months", "12", "--output", str(tmp_path))
    assert not Invoice.objects.filter(number__startswith="FV/2026/12/").exists()
    assert Invoice.objects.filter(number="FV/2026/11/0001").exists()
    assert not Invoice.objects.filter(issue_date__gt=datetime.date(2026, 12, 1)).exists()
    assert not Payment.objects.filter(date__gt=datetime.date(2026, 12, 1)).exists()
    assert ConsumptionReading.objects.filter(period_to=datetime.date(2026, 11, 30)).exists()
    # The demo customer's story still has its open newest invoice and its correction.
    demo = Customer.objects.get(region__slug="jaworzno", number="001001", sub_code="0000")
    newest = demo.invoices.filter(kind="VAT").newest_first().first()
    assert newest.number.startswith("FV/2026/11/")
    assert not newest.payments.exists()
    assert demo.invoices.filter(kind="KOR").exists()


# -- the KSeF XML and the verification code -----------------------------------------------------


@pytest.fixture
def demo(tmp_path, db):
    """The demo as `make run` loads it on 1 December 2026, a little smaller."""
    with time_machine.travel(warsaw(2026, 12, 1), tick=False):
        output = run("--customers", "6", "--months", "12", "--output", str(tmp_path))
    return output


def test_every_invoice_with_a_ksef_number_carries_schema_valid_xml(demo):
    with_number = Invoice.objects.exclude(ksef_number="").select_related("customer", "region")
    assert with_number.count() > 50
    assert not with_number.filter(ksef_xml__isnull=True).exists()
    assert not Invoice.objects.filter(ksef_number="", ksef_xml__isnull=False).exists()
    for invoice in with_number:
        raw = bytes(invoice.ksef_xml)
        parsed = ksef.parse(ksef.validate(raw))
        facts = verification.read_facts(raw)
        assert (parsed.number, parsed.gross, parsed.net, parsed.vat) == (
            invoice.number,
            invoice.gross,
            invoice.net,
            invoice.vat,
        )
        assert facts.seller.nip == invoice.region.seller_nip
        assert facts.buyer.name == invoice.customer.name
        assert parsed.customer_code == f"{int(invoice.customer.number)}-{invoice.customer.sub_code}"
        assert ksef_number_ok(invoice.ksef_number)
        assert invoice.ksef_number.startswith(f"{invoice.region.seller_nip}-{invoice.issue_date:%Y%m%d}-")


def test_the_correction_xml_names_the_corrected_invoice(demo):
    correction = Invoice.objects.get(region__slug="jaworzno", kind="KOR")
    parsed = ksef.parse(ksef.validate(bytes(correction.ksef_xml)))
    assert parsed.kind == "KOR"
    assert parsed.corrected[0].number == correction.corrects.number
    assert parsed.gross == correction.gross < 0
    if correction.corrects.ksef_number:
        assert correction.corrects.ksef_number.encode() in bytes(correction.ksef_xml)


def decode_qr(pdf, tmp_path):
    """The texts of the QR codes on the first page of `pdf`, read from a 150 dpi raster."""

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "page.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        [PDFTOPPM, "-png", "-r", "150", "-f", "1", "-l", "1", tmp_path / "page.pdf", tmp_path / "page"], check=True
    )
    with Image.open(next(tmp_path.glob("page*.png"))) as image:
        return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


PDFTOPPM = shutil.which("pdftoppm")
needs_raster = needs_program("pdftoppm", "poppler-utils")  # skipped where missing, but in CI


def test_every_ksef_invoice_page_shows_its_verification_code(demo, client):
    demo_customer = Customer.objects.get(region__slug="jaworzno", number="001001", sub_code="0000")
    log_in(client, demo_customer)
    invoices = demo_customer.invoices.exclude(ksef_number="")
    assert invoices.count() >= 9
    for invoice in invoices:
        body = client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
        url = verification.verification_url(bytes(invoice.ksef_xml))
        assert f'href="{url}"' in body
        caption = re.search(r'<figcaption class="ksef-qr__caption">(.*?)</figcaption>', body, re.S)[1]
        assert text_of(f"<p>{caption}</p>", "p") == invoice.ksef_number


@needs_raster
def test_the_qr_code_on_the_page_and_in_the_pdf_decodes_to_the_verification_url(demo, client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_customer = Customer.objects.get(region__slug="bedzin-czeladz-sosnowiec", number="001001", sub_code="0000")
    log_in(client, demo_customer)
    invoice = demo_customer.invoices.exclude(ksef_number="").newest_first().first()
    url = verification.verification_url(bytes(invoice.ksef_xml))

    pdf = client.get(reverse("invoices:pdf", args=[invoice.public_id])).content
    # Beside it the transfer code, checked in tests/invoices/test_payment_qr.py.
    assert [text for text in decode_qr(pdf, tmp_path / "pdf") if text.startswith("https://")] == [url]

    page = client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    svg = re.search(r'<a href="[^"]+" class="ksef-qr__code"[^>]*>(<svg.*?</svg>)', page, re.S)[1]
    shown = render_pdf(f"<html><body style='margin:2cm'><div style='width:6cm'>{svg}</div></body></html>")
    assert decode_qr(shown, tmp_path / "page") == [url]


def test_it_queues_no_pdf_renders(demo):
    assert not DBTaskResult.objects.filter(task_path="invoices.tasks.render_invoice_pdfs").exists()
    assert not Invoice.objects.exclude(pdf="").exists()  # each is rendered on its first download


# -- the demo logins ---------------------------------------------------------------------------


def test_each_region_has_an_enrolled_demo_login_and_the_command_prints_it(tmp_path, db, settings):
    settings.DEBUG = True  # make run; only then is the published password set
    output = run("--customers", "6", "--months", "3", "--output", str(tmp_path))
    for region in Region.objects.all():
        customer = Customer.objects.get(region=region, number="001001", sub_code="0000")
        assert customer.email == f"demo.{region.slug}@ebok.example"
        assert customer.email_requested_on is not None
        assert customer.user.check_password(DEMO_PASSWORD)
        assert (
            f"{region.name}: http://127.0.0.1:8000/{region.slug}/logowanie/ — Odbiorca 1001, hasło {DEMO_PASSWORD} "
            f"(e-mail {customer.email})"
        ) in output
    assert "Pobierz hasło do systemu" in output
    assert "var/mail/" in output
    # make run prints them again on every start.
    again = run("--if-empty", "--output", str(tmp_path))
    assert f"Odbiorca 1001, hasło {DEMO_PASSWORD}" in again
    assert again.count("/logowanie/") == 2


def test_without_debug_the_addresses_are_enrolled_but_no_password_is_set(tmp_path, db):
    output = run("--customers", "6", "--months", "3", "--output", str(tmp_path))
    for customer in Customer.objects.filter(number="001001", sub_code="0000"):
        assert customer.email.endswith("@ebok.example")
        assert not User.objects.filter(customer=customer).exclude(password__startswith="!").exists()
    assert DEMO_PASSWORD not in output
    assert output.count("Odbiorca 1001, hasło: „Pobierz hasło do systemu”") == 2
