"""FA(3) invoices from KSeF: offline schema validation and the mapping onto Invoice and InvoiceLine.

The schema files are the Ministry's, unchanged, in ``invoices/ksef_schema/`` (see SOURCES.txt there).
The main schema imports StrukturyDanych by an absolute URL; a resolver serves it from the local copy,
and the parser never goes to the network.
"""

import functools
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.utils.translation import gettext, gettext_lazy
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
# The other P_12 codes name what eBOK cannot show a customer (a line of the rates above and nothing else).
UNSUPPORTED_RATES = {
    "22": gettext_lazy("stawka VAT 22 % (sprzed 2011 r.)"),
    "7": gettext_lazy("stawka VAT 7 % (sprzed 2011 r.)"),
    "4": gettext_lazy("ryczałt dla taksówek osobowych (stawka 4 %)"),
    "3": gettext_lazy("stawka VAT 3 %"),
    "oo": gettext_lazy("odwrotne obciążenie (stawka „oo”)"),
}
# Net totals per rate (P_13_x) and the line rate each stands for, where eBOK has that rate.
NET_RATES = {"P_13_1": "23", "P_13_2": "8", "P_13_3": "5", "P_13_4": None, "P_13_5": None, "P_13_6_1": "0",
             "P_13_6_2": "0", "P_13_6_3": "0", "P_13_7": "zw", "P_13_8": "np", "P_13_9": "np", "P_13_10": None,
             "P_13_11": None}  # fmt: skip
NET_FIELDS = list(NET_RATES)
CENT = Decimal("0.01")
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
        message = gettext("to nie jest poprawny XML: %(error)s") % {"error": error}
        raise KsefError(message, entries=[(error.lineno or 0, str(error))]) from None
    if document.getroottree().docinfo.doctype:
        # An invoice from KSeF never has one; a DOCTYPE can only carry entity tricks.
        raise KsefError(gettext("XML z deklaracją DOCTYPE nie jest fakturą z KSeF"), entries=[(1, "DOCTYPE")])
    checker = schema()
    if not checker.validate(document):
        entries = [
            (entry.line, gettext("niezgodny ze schematem FA(3): %(message)s") % {"message": entry.message})
            for entry in checker.error_log
        ]
        raise KsefError(entries[0][1], element=gettext("schemat FA(3)"), entries=entries)
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


@dataclass(frozen=True)
class Corrected:
    """An invoice a correction names (DaneFaKorygowanej); a collective correction names several."""

    number: str
    issue_date: str
    ksef_number: str  # empty when it was issued outside KSeF (NrKSeFN)


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
    fa_kind: str = "VAT"
    order_value: Decimal | None = None
    before_correction: Decimal | None = None
    advances: list = field(default_factory=list)  # (number, KSeF number) of FakturaZaliczkowa
    corrected: list = field(default_factory=list)  # the DaneFaKorygowanej: Corrected, in document order
    lines: list = field(default_factory=list)

    @property
    def is_collective(self):
        """A collective correction (korekta zbiorcza): one correction of several invoices, e.g. a discount
        over a period (art. 106j ust. 3 ustawy o VAT)."""
        return len(self.corrected) > 1


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
        raise KsefError(
            gettext("nieobsługiwany rodzaj faktury %(kind)s") % {"kind": kind_code}, element="RodzajFaktury"
        )
    refuse_unsupported(fa)
    issue_date = _text(fa, "f:P_1")
    period_from = _text(fa, "f:OkresFa/f:P_6_Od") or _text(fa, "f:P_6") or None
    period_to = _text(fa, "f:OkresFa/f:P_6_Do") or _text(fa, "f:P_6") or None
    # The payment term; an invoice paid on issue has its payment date instead; a correction may have neither.
    due_dates = sorted(_text(term, "f:Termin") for term in fa.iterfind("f:Platnosc/f:TerminPlatnosci", NS))
    due_date = (due_dates[0] if due_dates and due_dates[0] else "") or _text(fa, "f:Platnosc/f:DataZaplaty")
    nets = {name: _amount(fa, f"f:{name}") for name in NET_FIELDS}
    net = sum((value for value in nets.values() if value is not None), Decimal(0))
    vat = sum((_amount(fa, f"f:{name}") or Decimal(0) for name in VAT_FIELDS), Decimal(0))
    rates = {NET_RATES[name] for name, value in nets.items() if value}
    gross = _amount(fa, "f:P_15")
    if not rates and gross:  # a simplified invoice may state its gross amount only (art. 106e ust. 5 pkt 3)
        rate, net, vat = _from_gross(fa, gross)
        rates = {rate}
    invoice = Fa3Invoice(
        number=_text(fa, "f:P_2"),
        kind=KINDS[kind_code],
        fa_kind=kind_code,
        issue_date=issue_date,
        period_from=period_from,
        period_to=period_to,
        due_date=due_date or issue_date,
        net=net,
        vat=vat,
        gross=gross,
        seller_nip=_text(document, "f:Podmiot1/f:DaneIdentyfikacyjne/f:NIP"),
        buyer_nip=_text(document, "f:Podmiot2/f:DaneIdentyfikacyjne/f:NIP"),
        customer_code=_text(document, "f:Podmiot2/f:NrKlienta"),
        payment_account=re.sub(r"\s", "", _text(fa, "f:Platnosc/f:RachunekBankowy/f:NrRB")),
        before_correction=_amount(fa, "f:P_15ZK"),
        advances=[
            (_text(ref, "f:NrFaZaliczkowej"), _text(ref, "f:NrKSeFFaZaliczkowej"))
            for ref in fa.iterfind("f:FakturaZaliczkowa", NS)
        ],
        corrected=[
            Corrected(
                number=_text(ref, "f:NrFaKorygowanej"),
                issue_date=_text(ref, "f:DataWystFaKorygowanej"),
                ksef_number=_text(ref, "f:NrKSeFFaKorygowanej"),
            )
            for ref in fa.iterfind("f:DaneFaKorygowanej", NS)
        ],
    )
    invoice.lines = _lines(fa, net=net, single_rate=next(iter(rates)) if len(rates) == 1 else None)
    if kind_code in ("ZAL", "KOR_ZAL"):
        invoice.order_value = _amount(fa, "f:Zamowienie/f:WartoscZamowienia")
    elif kind_code == "ROZ":
        invoice.order_value = order_value(invoice.lines)
    return invoice


def _refuse_settlement(fa):
    """KsefError naming the charges and deductions (Rozliczenie) that make the amount to pay differ from P_15.

    eBOK does not import them: its balance is the invoices' amounts (P_15) and the payments of the billing
    system, and an invoice does not say whether what it charges or deducts is already there (arrears, an
    overpayment, which the balance applies by itself) or not (a deposit, interest). Counting the amount to pay
    would count an overpayment twice; counting P_15 would leave out a deposit. Either would be a wrong balance.
    """
    settlement = fa.find("f:Rozliczenie", NS)
    if settlement is None or not _changes_amount_to_pay(settlement, gross=_amount(fa, "f:P_15")):
        return
    kinds = (("f:Obciazenia", gettext("obciążenie")), ("f:Odliczenia", gettext("odliczenie")))
    items = [
        gettext("%(kind)s %(amount)s „%(reason)s”")
        % {"kind": kind, "amount": _text(item, "f:Kwota"), "reason": _text(item, "f:Powod")}
        for path, kind in kinds
        for item in settlement.iterfind(path, NS)
    ]
    if _text(settlement, "f:DoZaplaty"):
        items.append(gettext("do zapłaty %(amount)s") % {"amount": _text(settlement, "f:DoZaplaty")})
    if _text(settlement, "f:DoRozliczenia"):
        items.append(gettext("nadpłata do rozliczenia %(amount)s") % {"amount": _text(settlement, "f:DoRozliczenia")})
    raise KsefError(
        gettext(
            "eBOK nie przyjmuje faktur, w których występują obciążenia lub odliczenia poza kwotą faktury "
            "(Rozliczenie: %(items)s; kwota faktury P_15 %(gross)s): saldo w eBOK to kwoty faktur i wpłaty "
            "z systemu rozliczeniowego, a z faktury nie wynika, czy obciążenie lub odliczenie już w nim jest "
            "(zaległość, nadpłata) czy nie (kaucja, odsetki)"
        )
        % {"items": "; ".join(items), "gross": _text(fa, "f:P_15")},
        element="Rozliczenie",
    )


def _changes_amount_to_pay(settlement, *, gross):
    """Whether Rozliczenie makes the amount to pay differ from P_15: a charge or deduction of any amount, an
    amount to pay other than P_15, or an overpayment to settle."""
    items = [*settlement.iterfind("f:Obciazenia", NS), *settlement.iterfind("f:Odliczenia", NS)]
    sums = [_amount(settlement, "f:SumaObciazen"), _amount(settlement, "f:SumaOdliczen")]
    if any(_amount(item, "f:Kwota") for item in items) or any(sums):
        return True
    to_pay, to_settle = _amount(settlement, "f:DoZaplaty"), _amount(settlement, "f:DoRozliczenia")
    return bool(to_settle) or (to_pay is not None and to_pay != gross)


def _from_gross(fa, gross):
    """(rate, net, VAT) of an invoice that states only its gross amount, from the one rate of its lines: the
    VAT is the gross amount's part at that rate (rounded to the grosz), the net amount the rest."""
    codes = {_text(row, "f:P_12") for row in fa.iterfind("f:FaWiersz", NS)} - {""}
    if len(codes) != 1:
        if codes:
            message = gettext(
                "faktura podaje tylko kwotę brutto (P_15, bez kwot netto P_13), a jej wiersze mają kilka stawek "
                "VAT: eBOK nie wyliczy z niej kwot netto i VAT"
            )
        else:
            message = gettext(
                "faktura podaje tylko kwotę brutto (P_15, bez kwot netto P_13), a jej wiersze nie mają stawki "
                "VAT (P_12): eBOK nie wyliczy z niej kwot netto i VAT"
            )
        raise KsefError(message, element="P_13")
    code = codes.pop()
    rate = RATES.get(code)
    if rate is None:
        raise KsefError(gettext("nieobsługiwana stawka VAT „%(code)s”") % {"code": code}, element="FaWiersz/P_12")
    if not rate.isdigit() or rate == "0":
        return rate, gross, Decimal("0.00")
    vat = (gross * Decimal(rate) / (100 + Decimal(rate))).quantize(CENT, ROUND_HALF_UP)
    return rate, gross - vat, vat


def refuse_unsupported(fa):
    """KsefError naming the first feature of the invoice that eBOK cannot represent: another currency than
    PLN, the margin scheme, reverse charge, the OSS/IOSS procedure, a rate no heat invoice has,
    payment to a factor, charges or deductions that make the amount to pay differ from P_15."""
    currency = _text(fa, "f:KodWaluty")
    if currency != "PLN":
        raise KsefError(
            gettext("faktura w walucie %(currency)s (KodWaluty): eBOK przyjmuje tylko faktury w złotych (PLN)")
            % {"currency": currency},
            element="KodWaluty",
        )
    features = [
        (_text(fa, "f:Adnotacje/f:PMarzy/f:P_PMarzy") == "1" or _amount(fa, "f:P_13_11") is not None,
         "Adnotacje/PMarzy", gettext("procedura marży (VAT marża, art. 119 i 120 ustawy o VAT)")),
        (_text(fa, "f:Adnotacje/f:P_18") == "1" or _amount(fa, "f:P_13_10") is not None,
         "Adnotacje/P_18", gettext("odwrotne obciążenie")),
        (_amount(fa, "f:P_13_5") is not None or fa.find("f:FaWiersz/f:P_12_XII", NS) is not None,
         "P_13_5", gettext("procedura szczególna OSS/IOSS (dział XII rozdział 6a ustawy o VAT)")),
        (_amount(fa, "f:P_13_4") is not None, "P_13_4", gettext("ryczałt dla taksówek osobowych")),
    ]  # fmt: skip
    for present, element, feature in features:
        if present:
            message = gettext("eBOK nie przyjmuje faktur, w których występuje %(feature)s") % {"feature": feature}
            raise KsefError(message, element=element)
    if fa.find("f:Platnosc/f:RachunekBankowyFaktora", NS) is not None:
        raise KsefError(
            gettext(
                "eBOK nie przyjmuje faktur, w których występuje płatność na rachunek faktora "
                "(RachunekBankowyFaktora): odbiorca widzi w eBOK tylko rachunek firmy"
            ),
            element="Platnosc/RachunekBankowyFaktora",
        )
    _refuse_settlement(fa)
    for row in fa.iterfind("f:FaWiersz", NS):
        feature = UNSUPPORTED_RATES.get(_text(row, "f:P_12"))
        if feature:
            raise KsefError(
                gettext("wiersz %(line)s: eBOK nie przyjmuje faktur, w których występuje %(feature)s")
                % {"line": _text(row, "f:NrWierszaFa"), "feature": feature},
                element="FaWiersz/P_12",
            )


# The VAT beside each net total that has one.
VAT_OF_NET = {"P_13_1": "P_14_1", "P_13_2": "P_14_2", "P_13_3": "P_14_3"}


def rate_totals(raw):
    """{rate: (net, VAT)} as the invoice states them in P_13_x and P_14_x, in the schema's order of rates.
    These, not the lines, are the amounts of an advance or settling invoice (whose lines show the order)."""
    fa = etree.fromstring(raw, _parser(load_dtd=False)).find("f:Fa", NS)
    totals = {}
    for name, rate in NET_RATES.items():
        net = _amount(fa, f"f:{name}")
        if net is None or rate is None:
            continue
        vat = (_amount(fa, f"f:{VAT_OF_NET[name]}") if name in VAT_OF_NET else None) or Decimal(0)
        before = totals.get(rate, (Decimal(0), Decimal(0)))
        totals[rate] = (before[0] + net, before[1] + vat)
    return totals


def order_value(lines):
    """The value with VAT of a settling invoice's lines, which show the whole order: per rate, the net total
    and its VAT (rounded to the grosz, art. 106e ust. 10); exempt and out-of-scope lines have no VAT."""
    nets = {}
    for line in lines:
        nets[line.vat_rate] = nets.get(line.vat_rate, Decimal(0)) + line.net_value
    return sum(
        (net + ((net * Decimal(rate) / 100).quantize(CENT, ROUND_HALF_UP) if rate.isdigit() else 0))
        for rate, net in nets.items()
    ) or Decimal("0.00")


def _lines(fa, *, net, single_rate):
    """Lines in document order. In a correction a line "before" (StanPrzed) counts with the opposite sign, so
    that the lines add up to the correction's net amount; positions follow the document, since a correction
    repeats NrWierszaFa for the states before and after.

    A line may leave out its rate and value (a simplified invoice names only the goods): the rate is then the
    invoice's only rate, and one such line gets the invoice's net amount less the other lines'."""
    lines, missing = [], []
    for position, row in enumerate(fa.iterfind("f:FaWiersz", NS), start=1):
        number = _text(row, "f:NrWierszaFa")
        rate = _text(row, "f:P_12") or single_rate
        if rate is None:
            raise KsefError(
                gettext("wiersz %(line)s: brak stawki VAT (P_12), a faktura ma kwoty w kilku stawkach albo żadnej")
                % {"line": number},
                element="FaWiersz/P_12",
            )
        sign = -1 if _text(row, "f:StanPrzed") == "1" else 1
        value = _amount(row, "f:P_11")
        quantity = _amount(row, "f:P_8B")
        line = Line(
            position=position,
            name=_text(row, "f:P_7"),
            unit=_text(row, "f:P_8A"),
            quantity=sign * quantity if quantity is not None else None,
            unit_net_price=_amount(row, "f:P_9A"),
            net_value=sign * value if value is not None else None,
            vat_rate=RATES.get(rate, rate),
        )
        if value is None:
            missing.append((number, line))
        lines.append(line)
    rest = net - sum(line.net_value for line in lines if line.net_value is not None)
    if len(missing) > 1 and rest:
        numbers = ", ".join(number for number, _ in missing)
        if any(row.find("f:P_11A", NS) is not None for row in fa.iterfind("f:FaWiersz", NS)):
            message = gettext(
                "wiersze %(lines)s: faktura w cenach brutto (P_11A bez P_11) — eBOK potrzebuje netto wierszy"
            ) % {"lines": numbers}
        else:
            message = gettext("wiersze %(lines)s: brak wartości netto (P_11) w kilku wierszach") % {"lines": numbers}
        raise KsefError(message, element="FaWiersz/P_11")
    for _, line in missing:
        line.net_value = rest if len(missing) == 1 else Decimal("0.00")
    return lines
