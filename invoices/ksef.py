"""FA(3) invoices from KSeF: offline schema validation and the mapping onto Invoice and InvoiceLine.

The schema files are the Ministry's, unchanged, in ``invoices/ksef_schema/`` (see SOURCES.txt there).
The main schema imports StrukturyDanych by an absolute URL; a resolver serves it from the local copy,
and the parser never goes to the network.
"""

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "ksef_schema"
SCHEMA_FILE = SCHEMA_DIR / "schemat_FA(3)_v1-0E.xsd"
IMPORTED_BASE = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/"
NS = {"f": "http://crd.gov.pl/wzor/2025/06/25/13775/"}

# FA(3) kinds onto eBOK's two: advance and settlement invoices are invoices, their corrections corrections.
KINDS = {"VAT": "VAT", "ZAL": "VAT", "ROZ": "VAT", "UPR": "VAT", "KOR": "KOR", "KOR_ZAL": "KOR", "KOR_ROZ": "KOR"}
# P_12 rate codes onto the rates an invoice line may carry.
RATES = {"23": "23", "8": "8", "5": "5", "0 KR": "0", "0 WDT": "0", "0 EX": "0", "zw": "zw", "np I": "np",
         "np II": "np"}  # fmt: skip
NET_FIELDS = ["P_13_1", "P_13_2", "P_13_3", "P_13_4", "P_13_5", "P_13_6_1", "P_13_6_2", "P_13_6_3", "P_13_7",
              "P_13_8", "P_13_9", "P_13_10", "P_13_11"]  # fmt: skip
VAT_FIELDS = ["P_14_1", "P_14_2", "P_14_3", "P_14_4", "P_14_5"]


class KsefError(ValueError):
    """What is wrong with a file; `entries` are (line, message) pairs of the schema's messages."""

    def __init__(self, message, *, element="-", entries=()):
        super().__init__(message)
        self.element = element
        self.entries = list(entries) or [(0, message)]


class LocalSchemas(etree.Resolver):
    def resolve(self, system_url, public_id, context):
        if system_url and system_url.startswith(IMPORTED_BASE):
            return self.resolve_filename(str(SCHEMA_DIR / "bazowe" / system_url.removeprefix(IMPORTED_BASE)), context)
        return None


def _parser(**options):
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, **options)


@functools.cache
def schema():
    parser = _parser()
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))


def validate(raw):
    """The parsed document, or KsefError with the parser's or the schema's messages."""
    try:
        document = etree.fromstring(raw, _parser(load_dtd=False))
    except etree.XMLSyntaxError as error:
        raise KsefError(f"to nie jest poprawny XML: {error}", entries=[(error.lineno or 0, str(error))]) from None
    if document.getroottree().docinfo.doctype:
        # An invoice from KSeF never has one; a DOCTYPE can only carry entity tricks.
        raise KsefError("XML z deklaracją DOCTYPE nie jest fakturą z KSeF", entries=[(1, "DOCTYPE")])
    checker = schema()
    if not checker.validate(document):
        entries = [(entry.line, f"niezgodny ze schematem FA(3): {entry.message}") for entry in checker.error_log]
        raise KsefError(entries[0][1], element="schemat FA(3)", entries=entries)
    return document


@dataclass
class Line:
    position: int
    name: str
    unit: str
    quantity: Decimal | None
    unit_net_price: Decimal | None
    net_value: Decimal
    vat_rate: str


@dataclass
class Fa3Invoice:
    number: str
    kind: str
    issue_date: str
    period_from: str | None
    period_to: str | None
    due_date: str
    net: Decimal
    vat: Decimal
    gross: Decimal
    seller_nip: str
    buyer_nip: str
    customer_code: str
    payment_account: str
    corrected_number: str
    lines: list = field(default_factory=list)


def _text(node, path):
    found = node.find(path, NS)
    return " ".join(found.text.split()) if found is not None and found.text else ""


def _amount(node, path):
    text = _text(node, path)
    return Decimal(text) if text else None


def parse(document):
    """Map a schema-valid FA(3) document onto the fields of Invoice and its lines."""
    fa = document.find("f:Fa", NS)
    kind_code = _text(fa, "f:RodzajFaktury")
    if kind_code not in KINDS:
        raise KsefError(f"nieobsługiwany rodzaj faktury {kind_code}", element="RodzajFaktury")
    if _text(fa, "f:KodWaluty") != "PLN":
        raise KsefError(f"faktura w walucie {_text(fa, 'f:KodWaluty')}: eBOK przyjmuje tylko PLN", element="KodWaluty")
    issue_date = _text(fa, "f:P_1")
    period_from = _text(fa, "f:OkresFa/f:P_6_Od") or _text(fa, "f:P_6") or None
    period_to = _text(fa, "f:OkresFa/f:P_6_Do") or _text(fa, "f:P_6") or None
    # The payment term; an invoice paid on issue has its payment date instead; a correction may have neither.
    due_dates = sorted(_text(term, "f:Termin") for term in fa.iterfind("f:Platnosc/f:TerminPlatnosci", NS))
    due_date = (due_dates[0] if due_dates and due_dates[0] else "") or _text(fa, "f:Platnosc/f:DataZaplaty")
    net = sum((_amount(fa, f"f:{name}") or Decimal(0) for name in NET_FIELDS), Decimal(0))
    vat = sum((_amount(fa, f"f:{name}") or Decimal(0) for name in VAT_FIELDS), Decimal(0))
    invoice = Fa3Invoice(
        number=_text(fa, "f:P_2"),
        kind=KINDS[kind_code],
        issue_date=issue_date,
        period_from=period_from,
        period_to=period_to,
        due_date=due_date or issue_date,
        net=net,
        vat=vat,
        gross=_amount(fa, "f:P_15"),
        seller_nip=_text(document, "f:Podmiot1/f:DaneIdentyfikacyjne/f:NIP"),
        buyer_nip=_text(document, "f:Podmiot2/f:DaneIdentyfikacyjne/f:NIP"),
        customer_code=_text(document, "f:Podmiot2/f:NrKlienta"),
        payment_account=re.sub(r"\s", "", _text(fa, "f:Platnosc/f:RachunekBankowy/f:NrRB")),
        corrected_number=_text(fa, "f:DaneFaKorygowanej/f:NrFaKorygowanej"),
    )
    invoice.lines = list(_lines(fa))
    return invoice


def _lines(fa):
    """Lines in document order. In a correction a line "before" (StanPrzed) counts with the opposite sign, so
    that the lines add up to the correction's net amount; positions follow the document, since a correction
    repeats NrWierszaFa for the states before and after."""
    for position, row in enumerate(fa.iterfind("f:FaWiersz", NS), start=1):
        rate = _text(row, "f:P_12")
        if rate not in RATES:
            raise KsefError(
                f"wiersz {_text(row, 'f:NrWierszaFa')}: nieobsługiwana stawka VAT „{rate}”", element="P_12"
            )
        sign = -1 if _text(row, "f:StanPrzed") == "1" else 1
        value = _amount(row, "f:P_11")
        if value is None:
            raise KsefError(f"wiersz {_text(row, 'f:NrWierszaFa')}: brak wartości netto", element="P_11")
        quantity = _amount(row, "f:P_8B")
        yield Line(
            position=position,
            name=_text(row, "f:P_7"),
            unit=_text(row, "f:P_8A"),
            quantity=sign * quantity if quantity is not None else None,
            unit_net_price=_amount(row, "f:P_9A"),
            net_value=sign * value,
            vat_rate=RATES[rate],
        )
