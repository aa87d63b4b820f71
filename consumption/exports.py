"""The shown consumption as CSV and XLSX files a Polish Excel opens without asking anything.

CSV: UTF-8 with a BOM (or Excel guesses the code page), `;` between fields and a decimal comma (the Polish
list and decimal separators), dates as DD.MM.RRRR, CRLF. XLSX: numbers and dates as real cells with
formats, so they can be summed; each sheet one table with a frozen header, an autofilter and columns as wide
as their longest shown value. Both hold the same rows as the page's per-period tables, in the same order.

The files carry data, never formulas (CSV injection, OWASP): every text cell of both passes one guard,
``needs_quote``. In the CSV such a text gets an apostrophe in front; in the XLSX every text is a string cell
(never a formula cell), and one the guard flags also gets Excel's quote prefix, so that editing the cell
does not turn it into a formula either. Numbers and dates are not texts: a negative number stays a number.
"""

import csv
import datetime
import io
import unicodedata
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from customers.contract import format_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What Excel, LibreOffice and Google Sheets read as the start of a formula: = + - @, | (DDE), tab and CR.
# Compared after NFKC, which turns the full-width ＝ ＋ － ＠ ｜ (and the small ﹦ ﹢ ﹣ ﹫) into these.
FORMULA_START = frozenset("=+-@|\t\r")


def needs_quote(text):
    """True for a text a spreadsheet could take for a formula: the one guard of every export's text cells.

    It looks at the first character and at the first one after leading whitespace (which spreadsheets
    skip), in their NFKC forms. Leading apostrophes are skipped too, so the CSV's quoting stays reversible:
    ``'=1`` is quoted as ``''=1`` and reading back is always "drop one apostrophe before a quoted text".
    """
    text = text.lstrip("'")
    return any(unicodedata.normalize("NFKC", start)[:1] in FORMULA_START for start in (text[:1], text.lstrip()[:1]))


def is_text(value):
    return value is not None and not isinstance(value, Decimal | int | float | datetime.date)


def columns():
    return [
        _("Punkt poboru"),
        _("Adres"),
        _("Grupa taryfowa"),
        _("Moc zamówiona [MW]"),
        _("Okres od"),
        _("Okres do"),
        _("Rodzaj"),
        _("Stan licznika [GJ]"),
        _("Zużycie [GJ]"),
    ]


def reading_rows(report, *, every_year):
    """Typed rows (str, Decimal, date, None), point by point, each point's periods newest first."""
    for point_year in report.per_point(every_year=every_year):
        point = point_year.point
        for reading in point_year.readings:
            yield [
                point.identifier,
                point.address,
                point.tariff_group,
                point.ordered_power_mw,
                reading.period_from,
                reading.period_to,
                reading.get_kind_display(),
                reading.meter_reading_gj,
                reading.consumption_gj,
            ]


def filename(customer, report, *, every_year, point=None, extension):
    """zuzycie-ciepla-001234-0000-2026.csv; with the years' span for all years, the point's id for one point.
    Only [a-z0-9-] from the point's identifier, so nothing it holds reaches the Content-Disposition header."""
    years = f"{report.first_year}-{report.year}" if every_year else str(report.year)
    parts = ["zuzycie-ciepla", customer.code]
    if point is not None:
        parts.append(slugify(point.identifier) or "punkt")
    return "-".join([*parts, years]) + "." + extension


def csv_cell(value):
    """A cell as the billing system writes it; a text a spreadsheet could run gets an apostrophe in front."""
    cell = format_cell(value)
    return "'" + cell if is_text(value) and needs_quote(cell) else cell


def consumption_csv(report, *, every_year):
    """The per-period rows as CSV text, BOM included (the response encodes it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in columns()])
    for row in reading_rows(report, every_year=every_year):
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


# The XLSX number formats of the columns, each with the Python format that shows a value the same way
# (to size the column; Excel's thousands separator and decimal comma are one character each, as here).
GJ = "#,##0.000"
MW = "#,##0.0000"
PERCENT = "0.0"
YEAR = "0"
NUMBER_FORMATS = {GJ: ",.3f", MW: ",.4f", PERCENT: ".1f", YEAR: "d"}
DATE = "DD.MM.YYYY"
TEXT = None
READING_FORMATS = [TEXT, TEXT, TEXT, MW, DATE, DATE, TEXT, GJ, GJ]
FILTER_BUTTON = 3  # a header cell also holds the autofilter's drop-down button
PADDING = 2
MAX_WIDTH = 255  # Excel's limit


def shown(value, number_format):
    """The text Excel shows for a value in a column of ``number_format``."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal | int):
        return format(value, NUMBER_FORMATS[number_format])
    return str(value)


def width(text):
    return max((len(line) for line in text.splitlines()), default=0)


def xlsx_cell(sheet, value, number_format=TEXT):
    """A number or date cell with its format, or a string cell: never a formula, whatever the text."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet)
    if not is_text(value):
        cell.value = value
        cell.number_format = DATE if isinstance(value, datetime.date) else number_format
        return cell
    cell.value = text = str(value)
    cell.data_type = "s"  # openpyxl makes a text starting with "=" a formula
    if needs_quote(text):
        cell.quotePrefix = True
    return cell


def add_table(book, title, header, formats, rows):
    """A sheet holding one table: the header bold, frozen and filtered, columns as wide as their values."""
    sheet = book.create_sheet(title)
    rows = list(rows)
    # Widths and the frozen row go before the first row: a write-only sheet writes them at its top.
    for index, (name, number_format) in enumerate(zip(header, formats, strict=True)):
        longest = max([width(name) + FILTER_BUTTON, *(width(shown(row[index], number_format)) for row in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(longest + PADDING, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = [xlsx_cell(sheet, name) for name in header]
    for cell in heading:
        cell.font = bold
    sheet.append(heading)
    for row in rows:
        sheet.append(
            [xlsx_cell(sheet, value, number_format) for value, number_format in zip(row, formats, strict=True)]
        )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    return sheet


def consumption_xlsx(report, *, every_year):
    """A workbook: Odczyty (the per-period rows), Lata (totals per year), and Miesiące for one year."""
    book = Workbook(write_only=True)
    add_table(book, _("Odczyty"), columns(), READING_FORMATS, reading_rows(report, every_year=every_year))
    add_table(
        book,
        _("Lata"),
        [_("Rok"), *(point.identifier for point in report.points), _("Razem [GJ]")],
        [YEAR, *[GJ] * len(report.points), GJ],
        ([totals.year, *totals.by_point, totals.total] for totals in report.yearly),
    )
    if not every_year:
        comparison = report.comparison
        add_table(
            book,
            _("Miesiące"),
            [_("Miesiąc"), f"{comparison.previous_year} [GJ]", f"{comparison.year} [GJ]", _("Zmiana [%]")],
            [TEXT, GJ, GJ, PERCENT],
            ([str(row.name), row.previous, row.current, row.change] for row in comparison.months),
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
