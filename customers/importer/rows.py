"""Row-level checks: every cell by its column type, and the rules that tie cells of one row together."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.contract import FILES, REQUIRED
from customers.importer.cells import CellError, parser


def row_parser(name, *, columns, width, problems):
    """A function (line, cells) -> the staged row (line first, then the contract's columns in order),
    or None after reporting what is wrong with the row."""
    plan = []
    for column in FILES[name]:
        parse, empty = parser(name, column)
        plan.append((column, columns.get(column), parse, empty, column in REQUIRED[name]))
    index = {column: position for position, column in enumerate(FILES[name], start=1)}
    check = ROW_RULES.get(name)

    def parse_row(line, cells):
        if len(cells) != width:
            count = len(cells)
            fields = ngettext(
                "wiersz ma %(n)d pole, a nagłówek %(width)d", "wiersz ma %(n)d pól, a nagłówek %(width)d", count
            )
            problems.add(name, line, "-", fields % {"n": count, "width": width})
            return None
        row = [line]
        ok = True
        for column, place, parse, empty, required in plan:
            text = cells[place].strip() if place is not None else ""
            if not text:
                if required:
                    problems.add(name, line, column, _("brak wartości w wymaganej kolumnie"))
                    ok = False
                row.append(empty)
                continue
            try:
                row.append(parse(text))
            except CellError as error:
                problems.add(name, line, column, str(error))
                row.append(None)
                ok = False
        if ok and check is not None:
            ok = check(line, row, index, problems)
        return row if ok else None

    return parse_row


def _period_in_order(name, line, row, index, problems, start, end):
    if row[index[start]] and row[index[end]] and row[index[start]] > row[index[end]]:
        problems.add(name, line, start, _("%(start)s jest późniejsza niż %(end)s") % {"start": start, "end": end})
        return False
    return True


def readings_rules(line, row, index, problems):
    return _period_in_order("odczyty.csv", line, row, index, problems, "data_od", "data_do")


def invoice_rules(line, row, index, problems):
    name = "faktury.csv"
    ok = _period_in_order(name, line, row, index, problems, "okres_od", "okres_do")
    net, vat, gross = (Decimal(row[index[column]]) for column in ("netto", "vat", "brutto"))
    if net + vat != gross:
        problems.add(
            name,
            line,
            "brutto",
            _("brutto %(gross)s nie równa się netto + VAT (%(sum)s)") % {"gross": gross, "sum": net + vat},
        )
        ok = False
    kind, corrected = row[index["rodzaj"]], row[index["korygowana"]]
    if kind == "KOR" and not corrected:
        problems.add(name, line, "korygowana", _("faktura korygująca (KOR) musi podać numer faktury korygowanej"))
        ok = False
    if kind == "VAT" and corrected:
        problems.add(name, line, "korygowana", _("tylko faktura korygująca (KOR) podaje fakturę korygowaną"))
        ok = False
    if kind == "VAT" and (net < 0 or vat < 0):
        problems.add(name, line, "netto", _("kwoty faktury VAT nie mogą być ujemne (ujemne ma tylko korekta KOR)"))
        ok = False
    if corrected and corrected == row[index["numer"]]:
        problems.add(name, line, "korygowana", _("faktura nie może korygować samej siebie"))
        ok = False
    return ok


ROW_RULES = {"odczyty.csv": readings_rules, "faktury.csv": invoice_rules}
