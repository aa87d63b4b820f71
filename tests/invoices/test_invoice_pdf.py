import io
import logging

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoices import pdf, services
from tests.invoices.conftest import make_invoice, make_ksef_invoice, make_payment


def url(invoice):
    return reverse("invoices:pdf", args=[invoice.public_id])


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_it_requires_a_logged_in_customer(client, invoice):
    assert client.get(url(invoice))["Location"] == reverse("landing")


def test_it_checks_ownership(owner_client, foreign_invoices):
    for foreign in foreign_invoices:
        assert owner_client.get(url(foreign)).status_code == 404
        foreign.refresh_from_db()
        assert not foreign.pdf  # nothing rendered for someone else


def test_it_is_an_attachment_that_is_not_cached(owner_client, owner):
    invoice = make_invoice(owner, "FV/2026/10/0001")
    response = owner_client.get(url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="FV_2026_10_0001.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")


def test_the_pdf_says_what_the_invoice_says_with_polish_letters(owner_client, owner):
    invoice = make_ksef_invoice(owner, gross="1234.56")
    text = pdf_text(owner_client.get(url(invoice)).content)
    for expected in (
        "FV2026/02/150",
        "1 234,56 zł",
        "001234-0000",
        "F.H.U. Jan Kowalski",  # the buyer as the KSeF XML names it
        "jeden tysiąc dwieście trzydzieści cztery złote 56/100",
        "Ciepło — zużycie",
        "Termin płatności",
        "5265877635-20250826-0100001AF629-AF",
        "Elektrownia S.A.",
    ):
        assert expected in text.replace("\xa0", " "), expected


def drawing_size(content):
    return sum(len(page.get_contents().get_data()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_uses_the_projects_font(owner):
    content = services.invoice_render_pdf(invoice=make_invoice(owner))
    reader = PdfReader(io.BytesIO(content))
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    # The @font-face family of invoices/fonts/: a font the machine happens to have would carry its own name.
    assert all(name.endswith(("+eBOK-Sans", "+eBOK-Sans-Bold")) for name in fonts)
    assert fonts


def test_the_pdf_carries_the_qr_code_where_the_xml_is_kept(owner):
    with_xml = services.invoice_render_pdf(invoice=make_ksef_invoice(owner))
    without_xml = services.invoice_render_pdf(
        invoice=make_ksef_invoice(owner, number="B", ksef_xml=None, ksef_number="")
    )
    # The code is drawn as vector paths: hundreds of modules make the page's drawing much longer.
    assert drawing_size(with_xml) > drawing_size(without_xml) + 3000
    assert "5265877635-20250826-0100001AF629-AF" in pdf_text(with_xml)
    offline = services.invoice_pdf_html(invoice=make_ksef_invoice(owner, number="C", ksef_number=""))
    assert "<svg" in offline
    assert '<figcaption class="ksef-qr__caption">OFFLINE</figcaption>' in offline


def test_it_is_rendered_once_and_then_served_from_storage(owner_client, owner, monkeypatch):
    invoice = make_invoice(owner)
    first = owner_client.get(url(invoice)).content
    invoice.refresh_from_db()
    assert invoice.pdf.name == f"invoices/2026/11/{invoice.public_id}.pdf"
    assert invoice.pdf.read() == first

    def fail(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(services, "render_pdf", fail)
    assert owner_client.get(url(invoice)).content == first


def test_a_stored_pdf_costs_three_queries(owner_client, owner, django_assert_num_queries):
    """Session, user with customer, the invoice: nothing more stands between the file of a paid invoice (no
    transfer code to check) and the customer."""
    invoice = make_invoice(owner)
    make_payment(owner, invoice.gross, invoice=invoice)
    owner_client.get(url(invoice))
    with django_assert_num_queries(3):
        assert owner_client.get(url(invoice)).status_code == 200


def test_a_stored_pdf_with_a_transfer_code_costs_three_more_to_check_it(
    owner_client, owner, django_assert_num_queries
):
    """An unpaid invoice's PDF carries a transfer code: the invoice and the customer's Ledger (invoices,
    payments) say whether its amount is still what is due."""
    invoice = make_invoice(owner)
    owner_client.get(url(invoice))
    with django_assert_num_queries(6):
        assert owner_client.get(url(invoice)).status_code == 200


def test_the_rendering_callers_instance_then_serves_the_stored_file(owner, monkeypatch):
    invoice = make_invoice(owner)
    content = services.invoice_render_pdf(invoice=invoice)
    monkeypatch.setattr(services, "render_pdf", lambda html: b"rendered again")
    assert services.invoice_pdf(invoice=invoice) == content


def test_a_missing_file_is_rendered_again_not_a_500(owner_client, owner, caplog):
    invoice = make_invoice(owner)
    owner_client.get(url(invoice))
    invoice.refresh_from_db()
    invoice.pdf.storage.delete(invoice.pdf.name)
    with caplog.at_level(logging.WARNING, logger="invoices.services"):
        response = owner_client.get(url(invoice))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert invoice.pdf.storage.exists(invoice.pdf.name)
    assert "zniknął" in caplog.text


def test_without_weasyprint_it_says_so_and_logs_why(owner_client, owner, monkeypatch, caplog):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with caplog.at_level(logging.ERROR, logger="invoices.pdf"):
        response = owner_client.get(url(make_invoice(owner)))
    assert response.status_code == 503
    assert "Wydruk PDF jest chwilowo niedostępny" in response.content.decode()
    assert "libpango" in caplog.text


def test_a_full_disk_gets_the_unavailable_page_and_stores_nothing(owner_client, owner, media_root, caplog):
    import errno
    import os

    invoice = make_invoice(owner)
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, *args, **kwargs):
            self.file = real_fdopen(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, content):
            self.file.write(content[: len(content) // 2])  # part of it fits, then the disk is full
            self.file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    with caplog.at_level(logging.ERROR, logger="invoices.views"), pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.os, "fdopen", FullDisk)
        response = owner_client.get(url(invoice))
    assert response.status_code == 503
    assert "Wydruk PDF jest chwilowo niedostępny" in response.content.decode()
    assert "No space left on device" in caplog.text
    invoice.refresh_from_db()
    assert not invoice.pdf
    assert not [path for path in media_root.rglob("*") if path.is_file()]  # no half-written file, no temporary
    again = owner_client.get(url(invoice))  # space again: rendered and stored whole
    invoice.refresh_from_db()
    assert again.status_code == 200
    assert invoice.pdf.storage.open(invoice.pdf.name).read() == again.content


@pytest.mark.parametrize(
    "address",
    [
        "http://example.com/tracker.png",
        "https://example.com/style.css",
        "file:///etc/passwd",
        f"file://{pdf.FONT_FOLDER}/../../ebok/settings.py",
        "ftp://example.com/x",
    ],
)
def test_nothing_outside_the_project_can_be_fetched(address):
    assert not pdf.is_allowed(address)


def test_the_projects_fonts_and_data_urls_can_be_fetched():
    assert pdf.is_allowed((pdf.FONT_FOLDER / "DejaVuSans-ebok.ttf").as_uri())
    assert pdf.is_allowed("data:image/png;base64,iVBORw0KGgo=")


def test_a_document_asking_for_outside_resources_renders_without_them(caplog, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = '<img src="http://example.com/x.png"><link rel="stylesheet" href="file:///etc/passwd"><p>Zażółć</p>'
    with caplog.at_level(logging.WARNING, logger="invoices.pdf"):
        content = pdf.render_pdf(html)
    assert "Zażółć" in pdf_text(content)
    assert "example.com" in caplog.text
    assert "/etc/passwd" in caplog.text


def test_a_corrections_pdf_prints_the_amount_to_return_without_a_minus(owner):
    corrected = make_invoice(owner, "FV/2025/06/0002", gross="10000.00")
    correction = make_invoice(owner, "KOR/2025/08/0001", gross="-1665.96", corrects=corrected)
    text = " ".join(pdf_text(services.invoice_render_pdf(invoice=correction)).replace("\xa0", " ").split())
    assert "Do zwrotu: 1 665,96 zł" in text
    assert "Słownie: jeden tysiąc sześćset sześćdziesiąt pięć złotych 96/100" in text
    assert "minus" not in text
    assert "Do zapłaty" not in text


def test_an_invoices_pdf_prints_the_amount_to_pay(owner):
    text = " ".join(pdf_text(services.invoice_render_pdf(invoice=make_invoice(owner, gross="60588.87"))).split())
    assert "Do zapłaty: 60 588,87 zł" in text.replace("\xa0", " ")
    assert "Słownie: sześćdziesiąt tysięcy pięćset osiemdziesiąt osiem złotych 87/100" in text
    assert "Do zwrotu" not in text
