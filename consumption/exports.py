"""The shown consumption as CSV and XLSX files a Polish Excel opens without asking anything.

CSV: UTF-8 with a BOM (or Excel guesses the code page), `;` between fields and a decimal comma (the Polish
list and decimal separators), dates as DD.MM.RRRR, CRLF. XLSX: numbers and dates as real cells with
formats, so they can be summed. Both hold the same rows as the page's per-period tables, in the same order.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from customers.contract import format_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    """zuzycie-ciepla-001234-0000-2026.csv; with the years' span for all years, the point's id for one point."""
    years = f"{report.first_year}-{report.year}" if every_year else str(report.year)
    parts = ["zuzycie-ciepla", customer.code]
    if point is not None:
        parts.append(slugify(point.identifier))
    return "-".join([*parts, years]) + "." + extension


def csv_cell(value):
    cell = format_cell(value)
    if value is None or isinstance(value, Decimal | datetime.date):
        return cell  # a negative number is a number, not a formula
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def consumption_csv(report, *, every_year):
    """The per-period rows as CSV text, BOM included (the response encodes it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns())
    for row in reading_rows(report, every_year=every_year):
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


NUMBER_FORMATS = {3: "#,##0.000", 4: "#,##0.0000"}


def _cell(sheet, value, places=3):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = NUMBER_FORMATS[places]
    elif isinstance(value, datetime.date):
        cell.number_format = "DD.MM.YYYY"
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell


def consumption_xlsx(report, *, every_year):
    """A workbook: Odczyty (the per-period rows), Lata (totals per year), and Miesiące for one year."""
    book = Workbook(write_only=True)
    readings = book.create_sheet(_("Odczyty"))
    readings.column_dimensions["B"].width = 36
    readings.freeze_panes = "A2"
    readings.append(columns())
    for row in reading_rows(report, every_year=every_year):
        readings.append([_cell(readings, value, 4 if index == 3 else 3) for index, value in enumerate(row)])

    years = book.create_sheet(_("Lata"))
    years.append([_("Rok"), *(point.identifier for point in report.points), _("Razem [GJ]")])
    for totals in report.yearly:
        years.append([totals.year, *(_cell(years, value) for value in totals.by_point), _cell(years, totals.total)])

    if not every_year:
        comparison = report.comparison
        months = book.create_sheet(_("Miesiące"))
        months.append([_("Miesiąc"), f"{comparison.previous_year} [GJ]", f"{comparison.year} [GJ]", _("Zmiana [%]")])
        for row in comparison.months:
            change = _cell(months, row.change)
            change.number_format = "0.0"
            months.append([str(row.name), _cell(months, row.previous), _cell(months, row.current), change])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
