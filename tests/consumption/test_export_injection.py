"""The exports carry data, never formulas: hostile texts from the billing export come back as text.

The hostile values enter the way real ones do, through ``import_billing``, and the files are read back
through the views: with the csv module, with openpyxl, and as the raw sheet XML of the workbook.
"""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from consumption.exports import csv_cell, needs_quote, xlsx_cell
from customers.models import Customer, MeteringPoint
from tests.conftest import log_in
from tests.consumption.conftest import add_month_readings
from tests.customers.importing import EXPORT, run_import, write_export

CSV = reverse("consumption:export_csv")
XLSX = reverse("consumption:export_xlsx")

# (identifier, address, tariff group) of the owner's points in the billing export.
HOSTILE_POINTS = [
    ("=1+2", "+cmd|' /C calc'!A0", "-2+3"),
    ("＝1+2", "@SUM(1)", "|x"),
    ("｜＋", "＠SUM(1)", "＋1"),
    ("－1", "'=1", '=HYPERLINK("x")'),
]
HOSTILE = [text for point in HOSTILE_POINTS for text in point]
# What the issue lists, and the forms a spreadsheet skips whitespace before.
STARTS = ["=", "+", "-", "@", "|", "\t", "\r", "＝", "＋", "－", "＠", "｜"]


def dangerous(cell):
    """A cell a spreadsheet would take for a formula (written here apart from the code under test)."""
    return cell[:1] in STARTS or cell.lstrip()[:1] in STARTS


def read_back(cell):
    """The text a CSV cell holds: one apostrophe before a quoted text is the quote, not the text."""
    return cell[1:] if cell.startswith("'") and needs_quote(cell[1:]) else cell


@pytest.fixture
def hostile_client(client, tmp_path, jaworzno):
    export = {name: list(lines) for name, lines in EXPORT.items()}
    points, readings = export["punkty.csv"], export["odczyty.csv"]
    export["punkty.csv"] = [points[0], *(f"{p};1234;0000;{a};{t};0,2500" for p, a, t in HOSTILE_POINTS), points[2]]
    export["odczyty.csv"] = [
        readings[0],
        *(f"{p};01.10.2026;31.10.2026;1 234,500;12,500;R" for p, _a, _t in HOSTILE_POINTS),
        readings[3],
    ]
    run_import(write_export(tmp_path, export))
    owner = Customer.objects.get(region=jaworzno, number="001234", sub_code="0000")
    stored = {(p.identifier, p.address, p.tariff_group) for p in owner.metering_points.all()}
    assert stored == set(HOSTILE_POINTS)  # the import keeps them as they are
    return log_in(client, owner)


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))


def sheet_xml(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")}


def test_it_quotes_every_hostile_text_of_the_csv(hostile_client):
    rows = read_csv(hostile_client.get(CSV, {"rok": "2026"}))
    assert len(rows) == 1 + len(HOSTILE_POINTS)
    assert not [cell for row in rows for cell in row if dangerous(cell)]
    assert {tuple(read_back(cell) for cell in row[:3]) for row in rows[1:]} == set(HOSTILE_POINTS)
    assert ["'=1+2", "'+cmd|' /C calc'!A0", "'-2+3"] in [row[:3] for row in rows]
    assert ["'－1", "''=1", '\'=HYPERLINK("x")'] in [row[:3] for row in rows]


def test_it_stores_every_hostile_text_of_the_xlsx_as_a_string(hostile_client):
    content = hostile_client.get(XLSX, {"rok": "2026"}).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts = [cell for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    hostile = [cell for cell in texts if cell.value in HOSTILE]
    assert {cell.value for cell in hostile} == set(HOSTILE)  # verbatim, no apostrophe added
    assert all(cell.data_type == "s" for cell in texts)
    assert all(cell.quotePrefix for cell in hostile)  # editing the cell in Excel keeps it text
    assert not any(cell.quotePrefix for cell in texts if cell.value not in HOSTILE)
    identifiers = [cell.value for cell in book["Lata"][1]][1:-1]
    assert sorted(identifiers) == sorted(p for p, _a, _t in HOSTILE_POINTS)


def test_it_writes_no_formula_into_the_sheet_xml(hostile_client):
    for query in ({"rok": "2026"}, {"rok": "wszystkie"}, {"rok": "2026", "punkt": "=1+2"}):
        sheets = sheet_xml(hostile_client.get(XLSX, query).content)
        assert len(sheets) >= 2
        for xml in sheets.values():
            assert not re.search(r"<f[\s>/]", xml)
            assert 't="str"' not in xml  # a formula's cached result
        assert "<t>=1+2</t>" in sheets["xl/worksheets/sheet2.xml"]  # the Lata header: text in a string cell


def test_a_hostile_identifier_never_reaches_the_file_name(hostile_client):
    response = hostile_client.get(CSV, {"rok": "2026", "punkt": "=1+2"})
    assert response["Content-Disposition"] == 'attachment; filename="zuzycie-ciepla-001234-0000-12-2026.csv"'
    response = hostile_client.get(XLSX, {"rok": "2026", "punkt": "｜＋"})
    assert response["Content-Disposition"] == 'attachment; filename="zuzycie-ciepla-001234-0000-punkt-2026.xlsx"'


@pytest.mark.parametrize(
    "text", ["\t=1", "\r=1", " =1", "\u00a0+1", "\u3000＝1", "\n@x", "﹦1", "﹢1", "﹣1", "﹫x", "''=1"]
)
def test_text_after_whitespace_or_in_other_forms_is_quoted_too(owner_client, owner, text):
    """The import strips whitespace; a point edited in the admin does not go through it."""
    point = MeteringPoint.objects.create(region=owner.region, customer=owner, identifier="W-1", address=text)
    add_month_readings(point, 2026, {1: "1.000"})
    rows = read_csv(owner_client.get(CSV, {"rok": "2026"}))
    assert rows[1][1] == "'" + text
    book = openpyxl.load_workbook(io.BytesIO(owner_client.get(XLSX, {"rok": "2026"}).content))
    cell = book["Odczyty"]["B2"]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert cell.value == text


@pytest.mark.parametrize("text", ["W-0123", "ul. Grunwaldzka 12", "", "a=b", "1-2", "'quoted'", "Zgoda — B"])
def test_harmless_text_is_left_as_it_is(text):
    assert csv_cell(text) == text
    assert not needs_quote(text)


def test_numbers_and_dates_stay_numbers_and_dates():
    assert csv_cell(Decimal("-2.500")) == "-2,500"
    assert csv_cell(datetime.date(2026, 1, 31)) == "31.01.2026"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    assert xlsx_cell(sheet, Decimal("-2.5"), "0.0").data_type == "n"
    assert xlsx_cell(sheet, -3, "0").data_type == "n"


def test_a_negative_change_is_a_number_cell(owner_client, point):
    add_month_readings(point, 2025, {1: "10.000"})
    add_month_readings(point, 2026, {1: "5.000"})
    book = openpyxl.load_workbook(io.BytesIO(owner_client.get(XLSX, {"rok": "2026"}).content))
    change = book["Miesiące"]["D2"]
    assert (change.value, change.data_type, change.number_format) == (-50.0, "n", "0.0")


@given(st.text())
def test_a_quoted_csv_text_never_starts_like_a_formula_and_reads_back(text):
    cell = csv_cell(text)
    assert not dangerous(cell)
    assert read_back(cell) == text
    assert cell in (text, "'" + text)


# XML 1.0 holds no other control characters (the import refuses them: customers.importer.cells.CONTROL).
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"), max_size=30)


@settings(max_examples=40, deadline=None)
@given(st.lists(XML_TEXT, min_size=1, max_size=5))
def test_any_text_comes_back_from_the_xlsx_as_it_was(texts):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Test")
    sheet.append([xlsx_cell(sheet, text) for text in texts])
    out = io.BytesIO()
    book.save(out)
    assert not any(re.search(r"<f[\s>/]", xml) for xml in sheet_xml(out.getvalue()).values())
    row = next(openpyxl.load_workbook(out)["Test"].iter_rows(values_only=True))
    assert list(row) == [text or None for text in texts]
