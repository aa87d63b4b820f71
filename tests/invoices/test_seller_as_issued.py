"""An invoice prints as issued: the seller is copied onto it, and a later edit of the region changes nothing."""

import importlib
import io
import re

from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from invoices import services
from invoices.models import Invoice
from tests.invoices.conftest import make_invoice

OLD = "Spółka Ciepłowniczo-Energetyczna Jaworzno III Sp. z o.o."


def pdf_text(content):
    """The words of the PDF, whitespace (line breaks, no-break spaces) as single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def edit_region(region):
    """As staff would in the admin: a new name, address, NIP and phone."""
    region.seller_name = "Nowa Nazwa Ciepłownia S.A."
    region.seller_street = "ul. Inna 1"
    region.seller_postal_code = "40-001"
    region.seller_city = "Katowice"
    region.seller_nip = "5260250995"
    region.seller_phone = "32 000 00 00"
    region.save()


def seller_on_page(client, invoice):
    """The invoice's Sprzedawca block (the footer shows the company from settings, not the invoice)."""
    body = client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    return re.search(r'aria-labelledby="invoice-seller">(.*?)</section>', body, re.S).group(1)


def test_editing_the_region_changes_neither_the_page_nor_a_rerendered_pdf(owner_client, owner, jaworzno):
    invoice = make_invoice(owner)
    page = seller_on_page(owner_client, invoice)
    pdf = pdf_text(services.invoice_render_pdf(invoice=invoice))
    for printed in (OLD, "Al. Tysiąclecia 7", "43-603 Jaworzno", "632-000-00-68", "32 614 01 31"):
        assert printed in page, printed
        assert printed in pdf, printed

    edit_region(jaworzno)
    assert seller_on_page(owner_client, invoice) == page
    assert pdf_text(services.invoice_render_pdf(invoice=Invoice.objects.get(pk=invoice.pk))) == pdf


def test_a_new_invoice_after_the_edit_prints_the_new_seller(owner_client, owner, jaworzno):
    edit_region(jaworzno)
    page = seller_on_page(owner_client, make_invoice(owner, "FV/2026/12/0001"))
    for new in ("Nowa Nazwa Ciepłownia S.A.", "ul. Inna 1", "40-001 Katowice", "526-025-09-95", "32 000 00 00"):
        assert new in page, new


def test_the_migration_copies_the_region_onto_invoices_stored_before_the_copy(owner, jaworzno):
    invoice = make_invoice(owner)
    Invoice.objects.update(**dict.fromkeys(Invoice.SELLER_FIELDS, ""))
    migration = importlib.import_module("invoices.migrations.0006_seller_as_issued")
    migration.copy_sellers(apps, schema_editor=None)
    invoice.refresh_from_db()
    assert Invoice.objects.values(*Invoice.SELLER_FIELDS).get(pk=invoice.pk) == Invoice.seller_copy(jaworzno)
    assert invoice.seller_name == OLD
