from django.urls import reverse

from tests.invoices.conftest import SAMPLE_24, make_ksef_invoice


def url(invoice):
    return reverse("invoices:xml", args=[invoice.public_id])


def test_it_requires_a_logged_in_customer(client, owner):
    assert client.get(url(make_ksef_invoice(owner)))["Location"] == reverse("landing")


def test_it_checks_ownership(owner_client, foreign_invoices):
    for foreign in foreign_invoices:
        assert owner_client.get(url(foreign)).status_code == 404


def test_it_serves_the_original_bytes(owner_client, owner):
    response = owner_client.get(url(make_ksef_invoice(owner)))
    assert response.status_code == 200
    assert response.content == SAMPLE_24.read_bytes()
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="FV2026_02_150.xml"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_invoice_without_xml_has_none(owner_client, invoice):
    assert owner_client.get(url(invoice)).status_code == 404
