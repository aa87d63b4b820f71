"""The transfer QR code (Rekomendacja ZBP "Standard 2D") on the invoice page and PDF, read back with zxing-cpp.

Every field is checked in the decoded text: NIP|PL|account|amount in grosze|recipient|title|||.
"""

import base64
import io
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from invoices import payment_qr, services
from invoices.models import Invoice
from tests.environment import needs_program
from tests.invoices.conftest import OWNER_ACCOUNT, make_invoice, make_payment

PDFTOPPM = shutil.which("pdftoppm")
needs_raster = needs_program("pdftoppm", "poppler-utils")  # skipped where missing, but in CI
SELLER_NIP = "6320000068"  # Jaworzno's seller (customers/migrations/0002_seed_regions.py)
RECIPIENT = "Spółka Ciepłowniczo"  # "Spółka Ciepłowniczo-Energetyczna Jaworzno III Sp. z o.o." in 20 characters
PAY_IMG = re.compile(r'<img class="pay-qr__code" src="data:image/png;base64,([^"]+)" alt="([^"]+)">')


def url(invoice):
    return reverse("invoices:detail", args=[invoice.public_id])


def read_codes(image):
    """The texts of the transfer codes in `image` (not the KSeF verification code, a URL)."""
    codes = zxingcpp.read_barcodes(image)
    return [code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode and "|PL|" in code.text]


def page_codes(client, invoice):
    body = client.get(url(invoice)).content.decode()
    codes = []
    for data, alt in PAY_IMG.findall(body):
        assert alt.strip()  # the image is named for screen readers
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            codes += read_codes(image)
    return codes


def pdf_codes(content, tmp_path):
    """The transfer codes on the first page of a PDF, read from a 150 dpi raster as a phone would see a print."""
    (tmp_path / "invoice.pdf").write_bytes(content)
    subprocess.run(  # noqa: S603
        [PDFTOPPM, "-png", "-r", "150", "-f", "1", "-l", "1", tmp_path / "invoice.pdf", tmp_path / "page"], check=True
    )
    with Image.open(next(tmp_path.glob("page*.png"))) as image:
        return read_codes(image)


def fields(text):
    parts = text.split("|")
    assert len(parts) == 9, text
    return parts


def test_the_page_code_carries_every_field_of_the_standard(owner_client, owner):
    invoice = make_invoice(owner, "FV/2026/10/0001", gross="1230.00")
    [code] = page_codes(owner_client, invoice)
    assert fields(code) == [
        SELLER_NIP,
        "PL",
        OWNER_ACCOUNT,
        "123000",
        RECIPIENT,
        "FV/2026/10/0001 odb. 001234-0000",
        "",
        "",
        "",
    ]


@needs_raster
def test_the_pdf_code_carries_every_field_of_the_standard(owner_client, owner, tmp_path):
    invoice = make_invoice(owner, "FV/2026/10/0001", gross="1230.00")
    content = owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content
    [code] = pdf_codes(content, tmp_path)
    assert code == f"{SELLER_NIP}|PL|{OWNER_ACCOUNT}|123000|{RECIPIENT}|FV/2026/10/0001 odb. 001234-0000|||"


def test_a_partly_paid_invoice_asks_for_the_rest_on_the_page(owner_client, owner):
    invoice = make_invoice(owner, gross="1230.00")
    make_payment(owner, "230.00", invoice=invoice)
    [code] = page_codes(owner_client, invoice)
    assert fields(code)[3] == "100000"


@needs_raster
def test_a_stored_pdf_whose_code_no_longer_matches_what_is_due_is_rendered_again(owner, tmp_path):
    invoice = make_invoice(owner, gross="1230.00")
    services.invoice_render_pdf(invoice=invoice)  # by the worker, right after the import
    assert Invoice.objects.get(pk=invoice.pk).pdf_transfer_amount == Decimal("1230.00")
    make_payment(owner, "230.00", invoice=invoice)
    stored = services.invoice_pdf(invoice=Invoice.objects.get(pk=invoice.pk))
    assert fields(pdf_codes(stored, tmp_path)[0])[3] == "100000"  # the rest, not the amount at issue
    assert Invoice.objects.get(pk=invoice.pk).pdf_transfer_amount == Decimal("1000.00")


@needs_raster
def test_a_pdf_stored_before_the_invoice_was_paid_loses_its_code(owner_client, owner, tmp_path):
    """Rendered by the worker after the import, downloaded after the payment: it must not ask to be paid again."""
    invoice = make_invoice(owner, gross="1230.00")
    services.invoice_render_pdf(invoice=invoice)
    make_payment(owner, "1230.00", invoice=invoice)
    content = owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content
    assert pdf_codes(content, tmp_path) == []
    assert Invoice.objects.get(pk=invoice.pk).pdf_transfer_amount is None


def test_a_stored_pdf_whose_code_still_matches_is_served_as_stored(owner, monkeypatch):
    invoice = make_invoice(owner, gross="1230.00")
    content = services.invoice_render_pdf(invoice=invoice)
    monkeypatch.setattr(services, "render_pdf", lambda html: b"rendered again")
    assert services.invoice_pdf(invoice=Invoice.objects.get(pk=invoice.pk)) == content


def test_an_overpayment_already_applied_lowers_the_amount(owner_client, owner):
    invoice = make_invoice(owner, gross="1230.00")
    make_payment(owner, "200.00")  # names no invoice: a credit, applied to the oldest debt
    [code] = page_codes(owner_client, invoice)
    assert fields(code)[3] == "103000"


@needs_raster
def test_a_paid_invoice_has_no_code_on_the_page_or_in_the_pdf(owner_client, owner, tmp_path):
    invoice = make_invoice(owner, gross="1230.00")
    make_payment(owner, "1230.00", invoice=invoice)
    body = owner_client.get(url(invoice)).content.decode()
    assert "pay-qr" not in body
    assert pdf_codes(owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content, tmp_path) == []
    assert payment_qr.payload(invoice) is None
    assert payment_qr.transfer_qr_png(invoice) is None
    assert payment_qr.transfer_qr_svg(invoice) is None


@needs_raster
def test_a_correction_that_owes_nothing_has_no_code(owner_client, owner, tmp_path):
    invoice = make_invoice(owner, gross="1230.00")
    make_payment(owner, "1230.00", invoice=invoice)
    correction = make_invoice(owner, "KOR/2026/11/0001", gross="-123.00", corrects=invoice)  # leaves an overpayment
    assert page_codes(owner_client, correction) == []
    pdf = owner_client.get(reverse("invoices:pdf", args=[correction.public_id])).content
    assert pdf_codes(pdf, tmp_path) == []


def test_a_correction_that_raises_the_bill_asks_for_what_it_adds(owner_client, owner):
    invoice = make_invoice(owner, gross="1230.00")
    make_payment(owner, "1230.00", invoice=invoice)
    correction = make_invoice(owner, "KOR/2026/11/0001", gross="123.00", corrects=invoice)
    [code] = page_codes(owner_client, correction)
    assert fields(code)[3:6] == ["012300", RECIPIENT, "KOR/2026/11/0001 001234-0000"]  # 33 with "odb."


def test_an_invoice_without_an_account_has_no_code(owner_client, owner):
    invoice = make_invoice(owner, payment_account="")
    assert page_codes(owner_client, invoice) == []
    assert "pay-qr" not in owner_client.get(url(invoice)).content.decode()


def test_the_functions_for_the_e_mail_give_the_same_code(owner):
    invoice = make_invoice(owner, gross="1230.00")
    expected = f"{SELLER_NIP}|PL|{OWNER_ACCOUNT}|123000|{RECIPIENT}|FV/2026/10/0001 odb. 001234-0000|||"
    assert payment_qr.payload(invoice) == expected
    with Image.open(io.BytesIO(payment_qr.transfer_qr_png(invoice))) as image:
        assert read_codes(image) == [expected]
    assert payment_qr.transfer_qr_svg(invoice).startswith("<svg")


def test_the_page_names_the_code_and_says_what_it_pays(owner_client, owner):
    invoice = make_invoice(owner, gross="1230.00")
    body = owner_client.get(url(invoice)).content.decode()
    assert 'alt="Kod QR przelewu do zeskanowania w aplikacji banku"' in body
    assert "Pozostało do zapłaty: 1\xa0230,00\xa0zł, tytuł „FV/2026/10/0001 odb. 001234-0000”" in body


def test_an_amount_above_9999_zl_keeps_every_digit(owner):
    invoice = make_invoice(owner, gross="60588.87")
    assert fields(payment_qr.payload(invoice))[3] == "6058887"


# The title: the invoice number whole, the rest shortened.


def test_a_long_correction_number_stays_whole_with_the_short_customer_code(owner):
    assert payment_qr.title("KOR/JAW/2026/06/000123/01", owner) == "KOR/JAW/2026/06/000123/01 1234"


def test_a_sub_customer_whose_code_does_not_fit_gets_the_number_alone(sibling):
    assert payment_qr.title("KOR/JAW/2026/06/000123/01", sibling) == "KOR/JAW/2026/06/000123/01"
    assert payment_qr.title("FV/2026/10/0001", sibling) == "FV/2026/10/0001 odb. 001234-0001"


def test_a_number_that_cannot_go_whole_into_the_title_gets_no_code(owner):
    assert payment_qr.title("FV/" + "1" * 30, owner) is None  # 33 characters
    assert payment_qr.title("FV|2026|1", owner) is None  # the separator
    invoice = make_invoice(owner, "FV/2026/10/0001/" + "9" * 20)
    assert payment_qr.payload(invoice) is None


# Fields in the standard's characters.


def test_the_separator_never_appears_inside_a_field(owner, jaworzno):
    jaworzno.seller_name = "Ciepło|Jaworzno „PEC”"
    invoice = make_invoice(owner, **Invoice.seller_copy(jaworzno))
    parts = fields(payment_qr.payload(invoice))
    assert parts[4] == "Ciepło Jaworzno PEC"


def test_a_long_name_is_cut_between_words_and_polish_letters_stay_whole():
    assert payment_qr.recipient("Spółka Ciepłowniczo-Energetyczna Jaworzno III Sp. z o.o.") == RECIPIENT
    assert payment_qr.recipient("Przedsiębiorstwo Ciepłownicze") == "Przedsiębiorstwo"
    decomposed = unicodedata.normalize("NFD", "Źźźźźźźźźźźźźźźźźźźźźź")  # letters and combining accents
    assert payment_qr.recipient(decomposed) == "Ź" + "ź" * 19


@pytest.mark.parametrize("amount", ["0.00", "-10.00"])
def test_nothing_due_is_no_transfer(owner, amount):
    assert payment_qr.transfer(make_invoice(owner), amount=Decimal(amount)) is None
