"""What an invoice page, its printout and its PDF show: one context, built once per request or render."""

from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from customers.validators import format_nip
from invoices import ksef, payment_qr, verification
from invoices.models import Invoice
from invoices.templatetags.money import vat_rate_label
from invoices.words import amount_in_words

CENT = Decimal("0.01")
RATE_ORDER = ["23", "8", "5", "0", "zw", "np"]


@dataclass(frozen=True)
class Party:
    name: str
    nip: str
    address_lines: tuple
    phone: str = ""


@dataclass(frozen=True)
class VatRow:
    rate: str
    label: str
    net: Decimal
    vat: Decimal

    @property
    def gross(self):
        return self.net + self.vat


def vat_summary(invoice, lines):
    """Net, VAT and gross per rate. VAT per rate is computed on the rate's net total (art. 106e ust. 10);
    with a single rate — every heat invoice — it is the invoice's own VAT, so the rows add up exactly."""
    if not lines:
        return [VatRow("", "", invoice.net, invoice.vat)]
    nets = OrderedDict()
    for line in sorted(lines, key=lambda line: RATE_ORDER.index(line.vat_rate)):
        nets[line.vat_rate] = nets.get(line.vat_rate, Decimal(0)) + line.net_value
    labels = {rate: vat_rate_label(rate) for rate in RATE_ORDER}
    if len(nets) == 1:
        rate = next(iter(nets))
        return [VatRow(rate, labels[rate], invoice.net, invoice.vat)]
    rows = []
    for rate, net in nets.items():
        vat = (net * Decimal(rate) / 100).quantize(CENT, ROUND_HALF_UP) if rate.isdigit() else Decimal("0.00")
        rows.append(VatRow(rate, labels[rate], net, vat))
    return rows


# FA(3) kinds whose lines show the order rather than add up to the invoice's amounts.
ORDER_KINDS = {Invoice.FaKind.ZAL, Invoice.FaKind.ROZ, Invoice.FaKind.KOR_ZAL, Invoice.FaKind.KOR_ROZ}
# Settling invoices: they list the advance invoices they account for.
SETTLING_KINDS = {Invoice.FaKind.ROZ, Invoice.FaKind.KOR_ROZ}


def stated_vat_summary(invoice, xml):
    """Net and VAT per rate as the KSeF invoice states them (P_13_x, P_14_x), for the kinds whose lines are
    the order: a settling invoice's lines are the whole order, its amounts what is left after the advances."""
    rows = [VatRow(rate, vat_rate_label(rate), net, vat) for rate, (net, vat) in ksef.rate_totals(xml).items()]
    return rows or [VatRow("", "", invoice.net, invoice.vat)]


def seller_of(invoice, facts):
    """The seller as issued: from the KSeF XML where kept, else as the import copied it from the region, else
    (an invoice no import created, e.g. in tests) the region as it is now."""
    if facts is not None:
        seller = facts.seller
        return Party(name=seller.name, nip=format_nip(seller.nip), address_lines=seller.address_lines)
    copy = invoice.seller_as_issued()
    city_line = f"{copy['seller_postal_code']} {copy['seller_city']}".strip()
    return Party(
        name=copy["seller_name"],
        nip=format_nip(copy["seller_nip"]),
        address_lines=tuple(part for part in (copy["seller_street"], city_line) if part),
        phone=copy["seller_phone"],
    )


def buyer_of(invoice, facts=None):
    """The buyer as issued: from the KSeF XML where kept, else as the import copied it, else (invoices stored
    before those copies) the customer as it is now."""
    if facts is not None and facts.buyer.name:
        nip = format_nip(facts.buyer.nip) if facts.buyer.nip else ""
        return Party(name=facts.buyer.name, nip=nip, address_lines=facts.buyer.address_lines)
    copy = invoice.buyer_copy(invoice.customer)
    if invoice.buyer_name:
        copy = {field: getattr(invoice, field) for field in copy}
    city_line = f"{copy['buyer_postal_code']} {copy['buyer_city']}".strip()
    lines = tuple(part for part in (copy["buyer_street"], city_line) if part)
    nip = format_nip(copy["buyer_nip"]) if copy["buyer_nip"] else ""
    return Party(name=copy["buyer_name"], nip=nip, address_lines=lines)


def invoice_context(invoice, *, corrections=None, amount_due=None):
    """Everything the invoice templates print. `invoice` comes with region, customer and corrects loaded;
    `corrections` (numbers and dates) and `amount_due` (what is left to pay, for the transfer QR code) may come
    from a Ledger the caller already has. Without `amount_due` — the PDF — it is computed here."""
    if amount_due is None:
        amount_due = payment_qr.amount_due(invoice)
    lines = list(invoice.lines.all())
    facts = qr_url = qr_svg = None
    xml = invoice.ksef_xml
    if xml:
        try:
            facts = verification.read_facts(xml)
        except verification.KsefXmlError:
            facts = None  # shown without the code rather than not at all; the import validates the XML
        else:
            qr_url = verification.verification_url(xml, facts)
            qr_svg = verification.qr_svg(qr_url)
    return {
        "invoice": invoice,
        "customer": invoice.customer,
        "lines": lines,
        "vat_rows": stated_vat_summary(invoice, bytes(xml))
        if xml and invoice.fa_kind in ORDER_KINDS
        else vat_summary(invoice, lines),
        "advances": list(invoice.settled_advances.select_related("advance"))
        if invoice.fa_kind in SETTLING_KINDS
        else [],
        # A correction's negative gross is printed as the amount to return: "Do zwrotu: 123,00 zł", no minus.
        "total": abs(invoice.gross),
        "gross_in_words": amount_in_words(abs(invoice.gross)),
        "seller": seller_of(invoice, facts),
        "buyer": buyer_of(invoice, facts),
        "has_xml": bool(xml),
        "qr_url": qr_url,
        "qr_svg": qr_svg,
        "qr_caption": invoice.ksef_number or "OFFLINE",
        "corrections": list(invoice.corrections.all()) if corrections is None else corrections,
        "transfer": payment_qr.transfer(invoice, amount=amount_due),
    }
