import csv
import datetime
import io
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from django.urls import reverse
from openpyxl.utils import get_column_letter

from customers.models import MeteringPoint
from tests.consumption.conftest import add_month_readings

CSV = reverse("consumption:export_csv")
XLSX = reverse("consumption:export_xlsx")
HEADER = [
    "Punkt poboru",
    "Adres",
    "Grupa taryfowa",
    "Moc zamówiona [MW]",
    "Okres od",
    "Okres do",
    "Rodzaj",
    "Stan licznika [GJ]",
    "Zużycie [GJ]",
]


@pytest.fixture
def history(point, second_point):
    add_month_readings(point, 2025, {m: f"{m * 10}.125" for m in range(1, 13)}, estimates={2})
    add_month_readings(point, 2026, {m: f"{m * 100}.5" for m in range(1, 11)}, estimates={3, 4})
    add_month_readings(second_point, 2026, {1: "1.001", 2: "2.002"})


def page_table(client, **query):
    """The per-period tables of the page as rows of the export: point, its facts, then the period's cells."""
    doc = lxml.html.fromstring(client.get(reverse("consumption:index"), query).content.decode())
    rows = []
    for article in doc.xpath("//article[@class='point']"):
        identifier = article.xpath("h3")[0].text_content().removeprefix("Punkt ")
        address, tariff, power = (dd.text_content() for dd in article.xpath(".//dd"))
        for tr in article.xpath(".//tbody/tr"):
            cells = [td.text_content().strip() for td in tr.xpath("td")]
            rows.append([identifier, address, tariff, power.removesuffix(" MW"), *cells])
    return rows


def plain(text):
    """The page groups thousands (1 234,5); the files must not."""
    return text.replace("\xa0", "")


def read_csv(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, or Excel guesses a code page
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_csv_equals_the_pages_table(owner_client, history):
    response = owner_client.get(CSV, {"rok": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="zuzycie-ciepla-001234-0000-2026.csv"'
    rows = read_csv(response)
    assert rows[0] == HEADER
    table = page_table(owner_client, rok="2026")
    assert len(table) == 12
    assert rows[1:] == [[plain(cell) for cell in row] for row in table]
    assert rows[1] == [
        "W-0123",
        "ul. Grunwaldzka 12, Jaworzno",
        "A1",
        "0,2500",
        "01.10.2026",
        "31.10.2026",
        "odczyt rzeczywisty",
        "6505,000",
        "1000,500",
    ]


def test_the_xlsx_equals_the_pages_table_with_numbers_as_numbers(owner_client, history):
    response = owner_client.get(XLSX, {"rok": "2026", "punkt": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="zuzycie-ciepla-001234-0000-2026.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Odczyty", "Lata", "Miesiące"]
    rows = list(book["Odczyty"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    table = page_table(owner_client, rok="2026")
    assert len(rows) - 1 == len(table)
    for cells, shown in zip(rows[1:], table, strict=True):
        identifier, address, tariff, power, start, end, kind, meter, used = cells
        assert isinstance(power, float)
        assert isinstance(used, float)
        assert isinstance(start, datetime.datetime)
        assert [identifier, address, tariff, kind] == [shown[0], shown[1], shown[2], shown[6]]
        assert Decimal(str(power)) == Decimal(shown[3].replace(",", "."))
        assert f"{start:%d.%m.%Y}" == shown[4]
        assert f"{end:%d.%m.%Y}" == shown[5]
        assert Decimal(str(meter)) == Decimal(plain(shown[7]).replace(",", "."))
        assert Decimal(str(used)) == Decimal(plain(shown[8]).replace(",", "."))
    assert book["Odczyty"]["I2"].number_format == "#,##0.000"
    assert book["Odczyty"]["E2"].is_date


def test_the_xlsx_has_the_year_totals_and_the_month_comparison(owner_client, history):
    response = owner_client.get(XLSX, {"rok": "2026"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    years = list(book["Lata"].iter_rows(values_only=True))
    assert years[0] == ("Rok", "W-0123", "W-0124", "Razem [GJ]")
    assert years[1] == (2026, 5505.0, 3.003, 5508.003)
    assert years[2] == (2025, 780.0 + 1.5, None, 781.5)
    months = list(book["Miesiące"].iter_rows(values_only=True))
    assert months[0] == ("Miesiąc", "2025 [GJ]", "2026 [GJ]", "Zmiana [%]")
    assert months[1] == ("styczeń", 10.125, 101.501, 902.5)
    assert months[12] == ("grudzień", 120.125, None, None)


def test_all_years_in_one_file(owner_client, history, point):
    response = owner_client.get(CSV, {"rok": "wszystkie", "punkt": point.identifier})
    assert response["Content-Disposition"] == 'attachment; filename="zuzycie-ciepla-001234-0000-w-0123-2025-2026.csv"'
    rows = read_csv(response)
    assert len(rows) == 1 + 22
    assert [row[4] for row in rows[1:3]] == ["01.10.2026", "01.09.2026"]
    assert rows[-1][4] == "01.01.2025"
    assert {row[0] for row in rows[1:]} == {"W-0123"}
    book = openpyxl.load_workbook(io.BytesIO(owner_client.get(XLSX, {"rok": "wszystkie"}).content))
    assert book.sheetnames == ["Odczyty", "Lata"]
    assert book["Odczyty"].max_row == 1 + 24


def test_a_text_starting_like_a_formula_stays_text(owner_client, owner):
    point = MeteringPoint.objects.create(
        region=owner.region, customer=owner, identifier="W-1", address='=HYPERLINK("http://x","y")'
    )
    add_month_readings(point, 2026, {1: "1.000"})
    rows = read_csv(owner_client.get(CSV, {"rok": "2026"}))
    assert rows[1][1] == '\'=HYPERLINK("http://x","y")'
    book = openpyxl.load_workbook(io.BytesIO(owner_client.get(XLSX, {"rok": "2026"}).content))
    assert book["Odczyty"]["B2"].data_type == "s"


def shown_length(cell):
    """How many characters Excel shows for a cell, from its value and number format."""
    if cell.value is None:
        return 0
    if cell.is_date:
        return len(f"{cell.value:%d.%m.%Y}")
    python_format = {"#,##0.000": ",.3f", "#,##0.0000": ",.4f", "0.0": ".1f"}.get(cell.number_format)
    return len(format(cell.value, python_format)) if python_format else len(str(cell.value))


@pytest.mark.parametrize("year", ["2026", "wszystkie"])
def test_the_xlsx_tables_are_filtered_frozen_and_wide_enough(owner_client, owner, history, year):
    wide = MeteringPoint.objects.create(region=owner.region, customer=owner, identifier="W-0125", address="x" * 90)
    add_month_readings(wide, 2026, {1: "123456789.125"})
    book = openpyxl.load_workbook(io.BytesIO(owner_client.get(XLSX, {"rok": year}).content))
    assert len(book.sheetnames) == (3 if year == "2026" else 2)
    for sheet in book:
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        for column in sheet.iter_cols():
            longest = max(shown_length(cell) for cell in column)
            assert longest <= sheet.column_dimensions[column[0].column_letter].width <= longest + 6
    readings = book["Odczyty"]
    assert readings.column_dimensions["B"].width >= 90
    assert readings.column_dimensions["I"].width >= len("123,456,789.125")


def test_the_xlsx_dates_and_numbers_are_formatted_cells(owner_client, history):
    book = openpyxl.load_workbook(io.BytesIO(owner_client.get(XLSX, {"rok": "wszystkie"}).content))
    rows = list(book["Odczyty"].iter_rows(min_row=2))
    for row in rows:
        assert all(cell.is_date and cell.number_format == "DD.MM.YYYY" for cell in row[4:6])
        assert (row[3].data_type, row[3].number_format) == ("n", "#,##0.0000")
        assert all(cell.number_format == "#,##0.000" for cell in row[7:9] if cell.value is not None)
    assert [cell.number_format for cell in book["Lata"][2]] == ["0", "#,##0.000", "#,##0.000", "#,##0.000"]


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_bad_year_is_a_clear_400(owner_client, point, url):
    add_month_readings(point, 2026, {1: "1.000"})
    response = owner_client.get(url, {"rok": "1999"})
    assert response.status_code == 400
    assert response.content.decode() == "Nie ma odczytów za rok 1999. Wybierz rok z listy."
    response = owner_client.get(url)
    assert response.status_code == 400
    assert "Podaj rok" in response.content.decode()


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_it_checks_ownership(owner_client, point, foreign_points, url):
    add_month_readings(point, 2025, {1: "1.000"})
    for foreign in foreign_points:
        for year in ("2025", "wszystkie"):
            assert owner_client.get(url, {"rok": year, "punkt": foreign.identifier}).status_code == 404
    # Without a point, the file holds only the customer's own readings.
    response = owner_client.get(url, {"rok": "wszystkie"})
    assert response.status_code == 200
    if url == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        text = " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    else:
        text = response.content.decode("utf-8-sig")
    assert point.identifier in text
    assert "W-90" not in text


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_it_requires_a_logged_in_customer(client, db, url):
    assert client.get(url, {"rok": "2026"})["Location"] == reverse("landing")


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_its_queries_are_pinned(owner_client, owner, url, django_assert_max_num_queries):
    points = MeteringPoint.objects.bulk_create(
        MeteringPoint(region=owner.region, customer=owner, identifier=f"P-{n}", address=f"ul. Długa {n}")
        for n in range(10)
    )
    for point in points:
        for year in range(2021, 2026):
            add_month_readings(point, year, dict.fromkeys(range(1, 13), "3.500"))
    for query in ({"rok": "wszystkie"}, {"rok": "2023"}, {"rok": "2024", "punkt": points[2].identifier}):
        with django_assert_max_num_queries(6):
            assert owner_client.get(url, query).status_code == 200
