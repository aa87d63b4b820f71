"""What the portal reads from a kept KSeF invoice XML: the seller and the buyer, and the verification QR
code (KOD I).

Facts in ``../shared/spec/ksef.md``. The XML is parsed without network access or entity expansion;
only the elements the invoice page prints are read.
"""

import base64
import datetime
import hashlib
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

NS = {"fa": "http://crd.gov.pl/wzor/2025/06/25/13775/"}
DEFAULT_QR_HOST = "qr.ksef.mf.gov.pl"


class KsefXmlError(ValueError):
    """The bytes are not an FA(3) invoice the portal can read."""


@dataclass(frozen=True)
class KsefSeller:
    nip: str
    name: str
    address_lines: tuple


@dataclass(frozen=True)
class KsefFacts:
    seller: KsefSeller
    buyer: KsefSeller  # the same parts: NIP (may be empty), name, address lines
    issue_date: datetime.date  # P_1
    number: str  # P_2


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _text(root, path):
    return (root.findtext(path, default="", namespaces=NS) or "").strip()


def read_facts(xml):
    """The seller, the buyer, P_1 and P_2 of an FA(3) invoice, from its exact bytes."""
    try:
        root = etree.fromstring(bytes(xml), parser=_parser())
    except etree.XMLSyntaxError as error:
        raise KsefXmlError(_("Niepoprawny XML faktury KSeF: %(error)s") % {"error": error}) from error
    nip = _text(root, "fa:Podmiot1/fa:DaneIdentyfikacyjne/fa:NIP")
    issued = _text(root, "fa:Fa/fa:P_1")
    if not nip or not issued:
        raise KsefXmlError(_("XML nie jest fakturą FA(3): brak NIP sprzedawcy (Podmiot1) lub daty wystawienia (P_1)."))
    try:
        issue_date = datetime.date.fromisoformat(issued)
    except ValueError as error:
        raise KsefXmlError(_("Niepoprawna data wystawienia P_1: %(date)s.") % {"date": repr(issued)}) from error
    lines = tuple(line for line in (_text(root, f"fa:Podmiot1/fa:Adres/fa:AdresL{n}") for n in (1, 2)) if line)
    seller = KsefSeller(nip=nip, name=_text(root, "fa:Podmiot1/fa:DaneIdentyfikacyjne/fa:Nazwa"), address_lines=lines)
    buyer_lines = tuple(line for line in (_text(root, f"fa:Podmiot2/fa:Adres/fa:AdresL{n}") for n in (1, 2)) if line)
    buyer = KsefSeller(
        nip=_text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:NIP"),
        name=_text(root, "fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:Nazwa"),
        address_lines=buyer_lines,
    )
    return KsefFacts(seller=seller, buyer=buyer, issue_date=issue_date, number=_text(root, "fa:Fa/fa:P_2"))


def xml_hash(xml):
    """SHA-256 of the exact XML bytes, Base64URL without padding (the last part of the QR URL)."""
    digest = hashlib.sha256(bytes(xml)).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verification_url(xml, facts=None):
    """KOD I: https://{host}/invoice/{seller NIP}/{P_1 as DD-MM-RRRR}/{hash}; the host is KSEF_QR_HOST."""
    facts = facts or read_facts(xml)
    host = getattr(settings, "KSEF_QR_HOST", DEFAULT_QR_HOST)
    return f"https://{host}/invoice/{facts.seller.nip}/{facts.issue_date:%d-%m-%Y}/{xml_hash(xml)}"


def qr_svg(url, *, scale=3):
    """The QR code of `url` as an inline <svg> element (for the page and, the same markup, the PDF)."""
    return segno.make(url, error="m").svg_inline(scale=scale, title=None)
