"""Parsers of single cells, one per column type of ``customers.contract.TYPES``.

Each parser takes the cell's text (already stripped) and returns the value as the staging tables take
it: text with ISO dates and dot decimals, or None for "no value". Bad input raises ``CellError``
with a message in the active language (Polish by default); the caller adds file, line and column.
"""

import datetime
import functools
import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.contract import FIELDS, TYPES
from customers.models import Customer, MeteringPoint
from customers.validators import nip_checksum_ok
from invoices.models import Invoice, InvoiceLine, Payment
from invoices.validators import ksef_number_ok, nrb_checksum_ok

MODELS = {
    "odbiorcy.csv": Customer,
    "punkty.csv": MeteringPoint,
    "faktury.csv": Invoice,
    "pozycje.csv": InvoiceLine,
    "wplaty.csv": Payment,
}

DECIMAL_RE = re.compile(r"-?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?\Z")
PLAIN_DECIMAL_RE = re.compile(r"(-?)(\d+)(?:[.,](\d+))?\Z")
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
PL_DATE_RE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})\Z")
SEPARATORS = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, ",": "."})


class CellError(ValueError):
    pass


@functools.lru_cache(maxsize=8192)
def parse_date(text):
    match = ISO_DATE_RE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = PL_DATE_RE.match(text)
        if not match:
            raise CellError(_("nieprawidłowa data „%(text)s” (RRRR-MM-DD albo DD.MM.RRRR)") % {"text": text})
        day, month, year = match.groups()
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise CellError(_("nie ma takiego dnia: „%(text)s”") % {"text": text}) from None


def decimal_parser(digits, places, minimum):
    whole = digits - places

    def parse(text):
        match = PLAIN_DECIMAL_RE.match(text)
        if match is None:  # thousands separators, or not a number at all
            if not DECIMAL_RE.match(text):
                raise CellError(_("nieprawidłowa liczba „%(text)s” (np. 1 234,56 albo 1234.56)") % {"text": text})
            match = PLAIN_DECIMAL_RE.match(text.translate(SEPARATORS))
        sign, integer, fraction = match.groups()
        if fraction and len(fraction) > places:
            raise CellError(
                ngettext(
                    "„%(text)s”: najwyżej %(n)d cyfra po przecinku",
                    "„%(text)s”: najwyżej %(n)d cyfr po przecinku",
                    places,
                )
                % {"text": text, "n": places}
            )
        if len(integer) > whole and len(integer.lstrip("0")) > whole:
            raise CellError(
                ngettext(
                    "„%(text)s”: za duża liczba (najwyżej %(n)d cyfra przed przecinkiem)",
                    "„%(text)s”: za duża liczba (najwyżej %(n)d cyfr przed przecinkiem)",
                    whole,
                )
                % {"text": text, "n": whole}
            )
        if minimum is not None:
            zero = not integer.strip("0") and not (fraction or "").strip("0")
            if minimum == "0" and sign and not zero:
                raise CellError(_("„%(text)s”: wartość nie może być ujemna") % {"text": text})
            if minimum == "0+" and (sign or zero):
                raise CellError(_("„%(text)s”: wartość musi być większa od zera") % {"text": text})
        return match.group(0).replace(",", ".")

    return parse


# Control characters other than tab and line breaks (NUL above all: PostgreSQL cannot store it).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_parser(length):
    def parse(text):
        if len(text) > length:
            raise CellError(
                ngettext(
                    "za długi tekst: %(n)d znak, najwyżej %(max)d",
                    "za długi tekst: %(n)d znaków, najwyżej %(max)d",
                    len(text),
                )
                % {"n": len(text), "max": length}
            )
        if found := CONTROL.search(text):
            raise CellError(_("niedozwolony znak sterujący %(code)s") % {"code": f"U+{ord(found.group()):04X}"})
        return text

    return parse


def choice_parser(choices):
    allowed = {choice.lower(): choice for choice in choices}
    listed = ", ".join(choices)

    def parse(text):
        try:
            return allowed[text.lower()]
        except KeyError:
            raise CellError(
                _("nieznana wartość „%(text)s” (dozwolone: %(allowed)s)") % {"text": text, "allowed": listed}
            ) from None

    return parse


def parse_customer_number(text):
    if not re.fullmatch(r"\d{1,6}", text):
        raise CellError(_("numer odbiorcy to od 1 do 6 cyfr, jest „%(text)s”") % {"text": text})
    return text.zfill(6)


def parse_sub_code(text):
    if not re.fullmatch(r"\d{1,4}", text):
        raise CellError(_("kod pododbiorcy to od 0 do 4 cyfr, jest „%(text)s”") % {"text": text})
    return text.zfill(4)


def parse_nip(text):
    digits = text.replace("-", "")
    if not nip_checksum_ok(digits):
        raise CellError(
            _("nieprawidłowy NIP „%(text)s”: potrzeba 10 cyfr z poprawną cyfrą kontrolną") % {"text": text}
        )
    return digits


def parse_postal_code(text):
    if not re.fullmatch(r"\d{2}-\d{3}", text):
        raise CellError(_("kod pocztowy ma postać NN-NNN, jest „%(text)s”") % {"text": text})
    return text


def parse_ksef_number(text):
    if not ksef_number_ok(text):
        raise CellError(
            _("nieprawidłowy numer KSeF „%(text)s”: oczekiwano NIP-RRRRMMDD-XXXXXXXXXXXX-CC z poprawną sumą")
            % {"text": text}
        )
    return text


def parse_nrb(text):
    digits = text.replace(" ", "").replace("\u00a0", "")
    if not nrb_checksum_ok(digits):
        raise CellError(
            _("nieprawidłowy numer rachunku „%(text)s”: potrzeba 26 cyfr z poprawnymi cyframi kontrolnymi")
            % {"text": text}
        )
    return digits


def parse_position(text):
    if not re.fullmatch(r"\d{1,9}", text) or int(text) == 0:
        raise CellError(_("liczba porządkowa to liczba całkowita od 1, jest „%(text)s”") % {"text": text})
    return str(int(text))


SIMPLE = {
    "date": parse_date,
    "customer_number": parse_customer_number,
    "sub_code": parse_sub_code,
    "nip": parse_nip,
    "postal_code": parse_postal_code,
    "ksef_number": parse_ksef_number,
    "nrb": parse_nrb,
    "position": parse_position,
}


def column_type(name, column):
    kind = TYPES[name][column]
    if kind == "text":
        field = MODELS[name]._meta.get_field(FIELDS[name][column])
        return ("text", field.max_length)
    return kind


def parser(name, column):
    """(parse, empty value) for one column of one file."""
    kind = column_type(name, column)
    if isinstance(kind, str):
        parse = SIMPLE[kind]
    elif kind[0] == "decimal":
        parse = decimal_parser(*kind[1:])
    elif kind[0] == "text":
        parse = text_parser(kind[1])
    else:
        parse = choice_parser(kind[1:])
    if isinstance(kind, tuple) and kind[0] == "choice":
        empty = kind[1]  # the first choice is the default
    elif kind == "sub_code":
        empty = "0000"
    elif kind in ("date", "position") or kind[0] == "decimal":
        empty = None
    else:
        empty = ""
    return parse, empty


def sql_type(name, column):
    """The staging table's column type: PostgreSQL names that SQLite maps to the same affinities."""
    kind = column_type(name, column)
    if kind == "date":
        return "date"
    if kind == "position":
        return "integer"
    if isinstance(kind, tuple) and kind[0] == "decimal":
        return f"numeric({kind[1]}, {kind[2]})"
    return "text"
