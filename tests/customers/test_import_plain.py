"""odczyty.csv's fast path on PostgreSQL (customers/importer/plain.py): plain files go straight to COPY,
everything else takes the row-by-row path, and both give the same readings and the same messages."""

import re

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from consumption.models import ConsumptionReading
from customers.importer import plain
from customers.importer import run as run_module
from customers.importer.cells import CellError, parser
from tests.customers.importing import EXPORT, refused, run_import, write_export

POSTGRES = connection.vendor == "postgresql"
HEADER = "punkt;data_od;data_do;stan_licznika_gj;zuzycie_gj;rodzaj"
PLAIN = [
    HEADER,
    "W-0101;01.10.2026;31.10.2026;1234,500;12,500;R",
    "W-0101;2026-11-01;2026-11-30;1260;25.5;S",
    "W-0102;01.11.2026;30.11.2026;;7,125;",
    "W-0102;01.12.2026;31.12.2026;0.001;0;R",
]


def import_readings(folder, *, plain_path, monkeypatch):
    """(readings, whether the fast path staged odczyty.csv) of one import of `folder`."""
    taken = []

    def stage_plain(*args, **kwargs):
        taken.append(plain_path and plain.stage_plain(*args, **kwargs))
        return taken[-1]

    monkeypatch.setattr(run_module, "stage_plain", stage_plain)
    run_import(folder)
    readings = ConsumptionReading.objects.order_by("point__identifier", "period_from").values_list(
        "point__identifier", "period_from", "period_to", "meter_reading_gj", "consumption_gj", "kind"
    )
    return list(readings), any(taken)


def write(folder, lines, newline="\r\n"):
    folder = write_export(folder, {name: EXPORT[name] for name in ("odbiorcy.csv", "punkty.csv")})
    (folder / "odczyty.csv").write_bytes((newline.join(lines) + newline).encode())
    return folder


CASES = {
    "plain": (PLAIN, "\r\n", True),
    "plain, LF": (PLAIN, "\n", True),
    "columns in another order, optional ones missing": (
        ["zuzycie_gj;data_do;punkt;data_od", "12,5;31.10.2026;W-0101;01.10.2026", "3;2026-11-30;W-0102;2026-11-01"],
        "\r\n",
        True,
    ),
    "thousands separators": ([*PLAIN, "W-0101;01.12.2026;31.12.2026;1 300,000;5;R"], "\r\n", False),
    "spaces around a cell": ([*PLAIN, "W-0101;01.12.2026;31.12.2026; 1300 ;5;R"], "\r\n", False),
    "lower-case choice": ([*PLAIN, "W-0101;01.12.2026;31.12.2026;1300;5;s"], "\r\n", False),
    "quoted cell": ([*PLAIN, '"W-0101";01.12.2026;31.12.2026;1300;5;R'], "\r\n", False),
    "empty line": ([*PLAIN[:2], "", *PLAIN[2:]], "\r\n", False),
    "unknown column": ([HEADER + ";uwagi", *(line + ";x" for line in PLAIN[1:])], "\r\n", False),
}


@pytest.mark.parametrize("case", CASES)
def test_the_fast_path_and_the_row_checks_import_the_same_readings(case, tmp_path, jaworzno, monkeypatch):
    lines, newline, expect_plain = CASES[case]
    folder = write(tmp_path / "export", lines, newline)
    slow, taken = import_readings(folder, plain_path=False, monkeypatch=monkeypatch)
    assert not taken
    ConsumptionReading.objects.all().delete()
    fast, taken = import_readings(folder, plain_path=True, monkeypatch=monkeypatch)
    assert taken == (expect_plain and POSTGRES)
    assert fast == slow
    assert len(fast) == len([line for line in lines[1:] if line])


BROKEN = {
    "a day that does not exist": ("W-0101;31.02.2026;28.03.2026;;1;R", "odczyty.csv:6: data_od: nie ma takiego dnia"),
    "year 0": ("W-0101;0000-01-01;2026-03-28;;1;R", "odczyty.csv:6: data_od: nie ma takiego dnia"),
    "a period backwards": ("W-0101;01.04.2026;28.03.2026;;1;R", "odczyty.csv:6: data_od: data_od jest późniejsza"),
    "a repeated key": (
        "W-0101;2026-11-01;2026-11-30;;1;R",
        "odczyty.csv:6: data_od: powtórzony klucz (W-0101, 2026-11-01, 2026-11-30), także w wierszu 3",
    ),
    "an unknown point": ("W-0999;01.01.2026;31.01.2026;;1;R", "odczyty.csv:6: punkt: nieznany punkt W-0999"),
    "a point name too long": ("W" * 31 + ";01.01.2026;31.01.2026;;1;R", "odczyty.csv:6: punkt: za długi tekst"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_plain_file_gets_the_row_checks_messages_and_writes_nothing(case, tmp_path, jaworzno):
    line, message = BROKEN[case]
    err = refused(write(tmp_path / "export", [*PLAIN, line]))
    assert err.splitlines()[0].startswith(message)
    assert not ConsumptionReading.objects.exists()


CELLS = st.text(alphabet="0123456789.,- R Srs\u00a0-W", max_size=14)
COLUMNS = ["punkt", "data_od", "stan_licznika_gj", "zuzycie_gj", "rodzaj"]


@settings(max_examples=400, deadline=None)
@given(column=st.sampled_from(COLUMNS), text=CELLS)
def test_a_cell_of_plain_shape_passes_the_row_checks_unchanged(column, text):
    """Whatever the plain shape accepts, the cell parser accepts too and reads the same text (commas as
    dots); a date's day is left to PostgreSQL, which refuses the same days (tested above)."""
    shape = re.compile(plain.cell_pattern("odczyty.csv", column, "utf-8-sig"))
    if not shape.fullmatch(text.encode()):
        return
    parse, _ = parser("odczyty.csv", column)
    try:
        value = parse(text.strip())
    except CellError as error:
        message = str(error)
        value = None
    if value is None:
        assert column == "data_od", message
        assert "nie ma takiego dnia" in message
        return
    assert text == text.strip()
    if column == "data_od":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    else:
        assert value == text.replace(",", ".")
