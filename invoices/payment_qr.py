"""The transfer QR code of an invoice, as every Polish banking app reads it (Rekomendacja ZBP "Standard 2D", 2013).

The code holds one line of nine fields separated by ``|``::

    seller NIP|PL|26-digit account|amount in grosze, 6+ digits|recipient ≤20|title ≤32|||

the last three reserved and empty. The account is the invoice's own ``payment_account`` (the customer's
individual NRB from the billing export or the KSeF XML). ``Region`` has no account of the seller's (its
``seller_*`` fields are name, NIP, address and phone), so an invoice without an account gets no code rather
than a guessed one. The NIP, the recipient's name and the title come from the seller as issued
(``Invoice.seller_*``) and the invoice's number and customer code.

Which amount (the reasoning). The code asks for **what is still due on the invoice** (:func:`amount_due`): what
``invoices/balance.py`` says is left to pay on the invoice's group (the invoice with its corrections) after the
payments that name it and the overpayments applied to it, the oldest debt first — the "pozostało do zapłaty" the
page shows. So a paid invoice gets no code, nor does a correction whose invoice is settled (a lowering one that
leaves an overpayment included); a partly paid one asks for the rest, and a new invoice of a customer with an
overpayment asks for the gross less what the overpayment covers. Scanning a code never pays twice.

* The page and the e-invoice e-mail compute it when they are shown or sent: always current.
* The PDF is rendered once and stored (invoices/services.py), with the amount its code asks for
  (``Invoice.pdf_transfer_amount``). Before a stored PDF with a code is served, that amount is compared with what
  is due now; after a payment, a correction or an applied overpayment it is rendered again — without a code once
  the invoice is paid. A paid invoice's PDF never asks to be paid again, and checking costs nothing for a PDF
  that has no code. (The other choice, the gross on every render, would put a code asking for the whole amount
  on a paid invoice's PDF, and a customer paying from it would pay twice.)

Fields are written in the characters the banks' apps accept: letters (Polish ones too, UTF-8), digits, space
and ``, . / - _ # & * @``. Anything else — above all ``|``, the separator — becomes a space, so no field can
split the line. Text is normalised to NFC first, so a letter with its diacritic is one character and is never
cut in half. The recipient (the seller's name) is shortened to 20 characters at a word boundary (a space or a
hyphen) where one fits. The title keeps the invoice number whole — a cut number would book the payment to the
wrong invoice — and shortens the rest: ``FV/2026/10/0001 odb. 001234-0000``, else without ``odb.``, else with
the short customer code the customer logs in with (``1234``, ``1234-0001`` for a sub-customer), else the number
alone. A number that does not fit the title as it is (over 32 characters, or with a character the standard does
not allow) gets no code.
"""

import base64
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import segno

from invoices.balance import Ledger

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
COUNTRY = "PL"
RECIPIENT_LENGTH = 20
TITLE_LENGTH = 32
SEPARATOR = "|"
# Letters of the Polish alphabet, digits, space and a few marks: what every banking app takes in these fields.
ALLOWED = re.compile(r"[0-9A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż ,./\-_#&*@]")
TRIMMED = " ,/-_#&*@"  # not left hanging at the end of a shortened field
PNG_SCALE = 4  # pixels per module: sharp on screen, and scaled without blurring in the PDF


@dataclass(frozen=True)
class Transfer:
    """The fields of one transfer code."""

    nip: str
    account: str
    amount: Decimal
    recipient: str
    title: str

    @property
    def grosze(self):
        return f"{int((self.amount * 100).quantize(Decimal(1), ROUND_HALF_UP)):06d}"

    @property
    def payload(self):
        fields = [self.nip, COUNTRY, self.account, self.grosze, self.recipient, self.title, "", "", ""]
        return SEPARATOR.join(fields)

    def code(self):
        # UTF-8 always: segno would pick ISO-8859-1 for a text whose only diacritic is "ó", which apps misread.
        return segno.make(self.payload, error="m", encoding="utf-8", micro=False)

    def png(self, *, scale=PNG_SCALE):
        buffer = io.BytesIO()
        self.code().save(buffer, kind="png", scale=scale, border=4)
        return buffer.getvalue()

    @property
    def png_data_uri(self):
        """An <img> source for the page and the PDF (the page's CSP allows data: images, the PDF fetcher too)."""
        return "data:image/png;base64," + base64.b64encode(self.png()).decode("ascii")


def clean(text):
    """`text` in the characters the standard allows: each other character a space, spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(char if ALLOWED.fullmatch(char) else " " for char in text)
    return " ".join(text.split())


def shorten(text, limit):
    """`text` (already clean) in at most `limit` characters: cut before a space or a hyphen where one falls
    within the limit ("Spółka Ciepłowniczo-Energetyczna" → "Spółka Ciepłowniczo"), else a hard cut."""
    if len(text) <= limit:
        return text
    breaks = [index for index in range(1, limit + 1) if text[index] in " -"]
    cut = text[: breaks[-1]] if breaks else text[:limit]
    return cut.rstrip(TRIMMED) or text[:limit]


def recipient(name):
    return shorten(clean(name), RECIPIENT_LENGTH)


def title(number, customer):
    """The number whole and as much of the customer's code as fits; None when the number itself cannot go in."""
    if clean(number) != number or len(number) > TITLE_LENGTH:
        return None
    short = customer.portal_code + ("" if customer.sub_code == "0000" else f"-{customer.sub_code}")
    for candidate in (f"{number} odb. {customer.code}", f"{number} {customer.code}", f"{number} {short}", number):
        if len(candidate) <= TITLE_LENGTH:
            return candidate
    return number  # unreachable: the number alone fits


def amount_due(invoice, *, ledger=None):
    """What is left to pay on `invoice` now, with its corrections, payments and applied credits (≥ 0)."""
    ledger = ledger or Ledger(invoice.customer)
    return max(ledger.by_pk[invoice.pk].group.outstanding, ZERO)


def transfer(invoice, *, amount=None):
    """The transfer for `amount` (default: :func:`amount_due`), or None when nothing is due or no code can be
    made (no account, a number that does not fit the title)."""
    if amount is None:
        amount = amount_due(invoice)
    account = invoice.payment_account
    if amount <= 0 or not re.fullmatch(r"\d{26}", account or ""):
        return None
    transfer_title = title(invoice.number, invoice.customer)
    if transfer_title is None:
        logger.warning("Faktura %s: numer nie mieści się w tytule przelewu (ZBP 2D), kod QR pominięty.", invoice.pk)
        return None
    seller = invoice.seller_as_issued()
    nip = seller["seller_nip"]
    return Transfer(
        nip=nip if re.fullmatch(r"\d{10}", nip) else "",
        account=account,
        amount=amount,
        recipient=recipient(seller["seller_name"]),
        title=transfer_title,
    )


def payload(invoice, *, amount=None):
    """The text of the code (see :class:`Transfer`), or None when there is no code to show."""
    found = transfer(invoice, amount=amount)
    return found.payload if found else None


def transfer_qr_png(invoice, *, amount=None, scale=PNG_SCALE):
    """The code as PNG bytes (for an e-mail's inline image or attachment), or None when nothing is due."""
    found = transfer(invoice, amount=amount)
    return found.png(scale=scale) if found else None


def transfer_qr_svg(invoice, *, amount=None, scale=PNG_SCALE):
    """The code as an inline <svg> element, or None when nothing is due."""
    found = transfer(invoice, amount=amount)
    return found.code().svg_inline(scale=scale) if found else None
