"""Parsers of single cells, one per column type of ``customers.contract.TYPES``.

Each parser takes the cell's text (already stripped) and returns the value as the staging tables take
it: text with ISO dates and dot decimals, or None for "no value". Bad input raises ``CellError``
with a Polish message; the caller adds file, line and column.
"""

import datetime
import functools
import re

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
            raise CellError(f"nieprawidłowa data „{text}” (RRRR-MM-DD albo DD.MM.RRRR)")
        day, month, year = match.groups()
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise CellError(f"nie ma takiego dnia: „{text}”") from None


def decimal_parser(digits, places, minimum):
    whole = digits - places

    def parse(text):
        match = PLAIN_DECIMAL_RE.match(text)
        if match is None:  # thousands separators, or not a number at all
            if not DECIMAL_RE.match(text):
                raise CellError(f"nieprawidłowa liczba „{text}” (np. 1 234,56 albo 1234.56)")
            match = PLAIN_DECIMAL_RE.match(text.translate(SEPARATORS))
        sign, integer, fraction = match.groups()
        if fraction and len(fraction) > places:
            raise CellError(f"„{text}”: najwyżej {places} cyfr po przecinku")
        if len(integer) > whole and len(integer.lstrip("0")) > whole:
            raise CellError(f"„{text}”: za duża liczba (najwyżej {whole} cyfr przed przecinkiem)")
        if minimum is not None:
            zero = not integer.strip("0") and not (fraction or "").strip("0")
            if minimum == "0" and sign and not zero:
                raise CellError(f"„{text}”: wartość nie może być ujemna")
            if minimum == "0+" and (sign or zero):
                raise CellError(f"„{text}”: wartość musi być większa od zera")
        return match.group(0).replace(",", ".")

    return parse


# Control characters other than tab and line breaks (NUL above all: PostgreSQL cannot store it).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_parser(length):
    def parse(text):
        if len(text) > length:
            raise CellError(f"za długi tekst: {len(text)} znaków, najwyżej {length}")
        if found := CONTROL.search(text):
            raise CellError(f"niedozwolony znak sterujący U+{ord(found.group()):04X}")
        return text

    return parse


def choice_parser(choices):
    allowed = {choice.lower(): choice for choice in choices}
    listed = ", ".join(choices)

    def parse(text):
        try:
            return allowed[text.lower()]
        except KeyError:
            raise CellError(f"nieznana wartość „{text}” (dozwolone: {listed})") from None

    return parse


def parse_customer_number(text):
    if not re.fullmatch(r"\d{1,6}", text):
        raise CellError(f"numer odbiorcy to od 1 do 6 cyfr, jest „{text}”")
    return text.zfill(6)


def parse_sub_code(text):
    if not re.fullmatch(r"\d{1,4}", text):
        raise CellError(f"kod pododbiorcy to od 0 do 4 cyfr, jest „{text}”")
    return text.zfill(4)


def parse_nip(text):
    digits = text.replace("-", "")
    if not nip_checksum_ok(digits):
        raise CellError(f"nieprawidłowy NIP „{text}”: potrzeba 10 cyfr z poprawną cyfrą kontrolną")
    return digits


def parse_postal_code(text):
    if not re.fullmatch(r"\d{2}-\d{3}", text):
        raise CellError(f"kod pocztowy ma postać NN-NNN, jest „{text}”")
    return text


def parse_ksef_number(text):
    if not ksef_number_ok(text):
        raise CellError(f"nieprawidłowy numer KSeF „{text}”: oczekiwano NIP-RRRRMMDD-XXXXXXXXXXXX-CC z poprawną sumą")
    return text


def parse_nrb(text):
    digits = text.replace(" ", "").replace("\u00a0", "")
    if not nrb_checksum_ok(digits):
        raise CellError(f"nieprawidłowy numer rachunku „{text}”: potrzeba 26 cyfr z poprawnymi cyframi kontrolnymi")
    return digits


def parse_position(text):
    if not re.fullmatch(r"\d{1,9}", text) or int(text) == 0:
        raise CellError(f"liczba porządkowa to liczba całkowita od 1, jest „{text}”")
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
