import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import InvoiceLine
from tests.conftest import log_in
from tests.invoices.conftest import (
    SAMPLE_24_QR,
    make_invoice,
    make_ksef_invoice,
    make_payment,
    overpaid_beside_overdue,
)


def url(invoice):
    return reverse("invoices:detail", args=[invoice.public_id])


def test_the_url_uses_the_public_id_not_the_database_id(invoice):
    assert str(invoice.public_id) in url(invoice)
    assert f"/{invoice.pk}/" not in url(invoice)


def test_it_requires_a_logged_in_customer(client, invoice):
    assert client.get(url(invoice))["Location"] == reverse("landing")


def test_it_checks_ownership(owner_client, foreign_invoices):
    for foreign in foreign_invoices:
        assert owner_client.get(url(foreign)).status_code == 404


def test_an_unknown_invoice_is_a_404(owner_client, db):
    assert owner_client.get("/faktury/1b4e28ba-2fa1-11d2-883f-0016d3cca427/").status_code == 404
    assert owner_client.get("/faktury/1/").status_code == 404


def test_it_shows_everything_an_invoice_says(owner_client, owner, jaworzno):
    invoice = make_invoice(owner, gross="1234.56", ksef_number="5265877635-20250826-0100001AF629-AF")
    response = owner_client.get(url(invoice))
    assert response.status_code == 200
    body = response.content.decode()
    expected = [
        '<h1>Faktura VAT <span class="long-number">FV/<wbr>2026/<wbr>10/<wbr>0001</span></h1>',  # see ebok.css
        jaworzno.seller_name,
        jaworzno.seller_nip_display,
        owner.name,
        "001234-0000",
        "632-000-00-68",  # the buyer's NIP
        "03.11.2026",
        "01.10.2026 – 31.10.2026",
        "17.11.2026",
        "Ciepło — zużycie",
        "1\xa0003,71\xa0zł",  # net
        "230,85\xa0zł",  # VAT
        "1\xa0234,56\xa0zł",
        "jeden tysiąc dwieście trzydzieści cztery złote 56/100",
        "61 1090 1014 0000 0712 1981 2874",
        "5265877635-<wbr>20250826-<wbr>0100001AF629-<wbr>AF",  # on a phone it wraps only after a dash
    ]
    for text in expected:
        assert text in body, text
    assert "<svg" not in body  # no XML kept: the KSeF number as text, no code
    assert reverse("invoices:xml", args=[invoice.public_id]) not in body
    assert reverse("invoices:pdf", args=[invoice.public_id]) in body


def test_the_vat_summary_has_a_row_per_rate(owner_client, owner):
    invoice = make_invoice(owner, net="1000.00", vat="207.00", gross="1207.00", lines=False)
    InvoiceLine.objects.create(invoice=invoice, position=1, name="Ciepło", net_value=Decimal("900.00"), vat_rate="23")
    InvoiceLine.objects.create(invoice=invoice, position=2, name="Opłata", net_value=Decimal("100.00"), vat_rate="zw")
    rows = owner_client.get(url(invoice)).context["vat_rows"]
    assert [(row.rate, row.net, row.vat) for row in rows] == [
        ("23", Decimal("900.00"), Decimal("207.00")),
        ("zw", Decimal("100.00"), Decimal("0.00")),
    ]


def test_a_ksef_invoice_shows_the_seller_from_the_xml_and_the_verification_code(owner_client, owner):
    invoice = make_ksef_invoice(owner)
    response = owner_client.get(url(invoice))
    body = response.content.decode()
    assert "Elektrownia S.A." in body
    assert "999-999-99-99" in body
    assert response.context["qr_url"] == SAMPLE_24_QR
    assert f'href="{SAMPLE_24_QR}"' in body
    figure = body[body.index('<figure class="ksef-qr">') :]
    assert figure.index("<svg") < figure.index("5265877635-<wbr>20250826-<wbr>0100001AF629-<wbr>AF</figcaption>")
    assert reverse("invoices:xml", args=[invoice.public_id]) in body


def test_without_a_ksef_number_the_code_says_offline(owner_client, owner):
    invoice = make_ksef_invoice(owner, ksef_number="")
    assert (
        '<figcaption class="ksef-qr__caption">OFFLINE</figcaption>' in owner_client.get(url(invoice)).content.decode()
    )


def test_a_correction_and_the_corrected_invoice_point_at_each_other(owner_client, owner):
    invoice = make_invoice(owner, "FV/2026/10/0001")
    correction = make_invoice(owner, "KOR/2026/11/0001", gross="-123.00", corrects=invoice)
    correction_page = owner_client.get(url(correction)).content.decode()
    assert "Koryguje fakturę" in correction_page
    assert "FV/2026/10/0001" in correction_page
    assert "Do zwrotu: <strong>123,00\xa0zł</strong>" in correction_page
    assert "Słownie: sto dwadzieścia trzy złote 00/100" in correction_page
    assert "minus" not in correction_page
    assert "KOR/2026/11/0001" in owner_client.get(url(invoice)).content.decode()


def test_it_shows_what_is_left_to_pay_and_the_payments(owner_client, owner):
    invoice = make_invoice(owner, gross="1230.00", due_date=datetime.date(2999, 1, 1))
    make_payment(owner, "230.00", invoice=invoice)
    body = owner_client.get(url(invoice)).content.decode()
    assert "pozostało do zapłaty 1\xa0000,00\xa0zł" in body
    assert "10.11.2026: 230,00\xa0zł" in body


@pytest.mark.parametrize("count", [2, 60])
def test_the_number_of_queries_does_not_grow_with_invoices(client, owner, count, django_assert_max_num_queries):
    for n in range(count):
        make_invoice(owner, f"FV/{n:04d}")
    invoice = make_ksef_invoice(owner)
    make_invoice(owner, "KOR/1", gross="-1.00", corrects=invoice)
    make_payment(owner, "10.00", invoice=invoice)
    log_in(client, owner)
    with django_assert_max_num_queries(8):
        assert client.get(url(invoice)).status_code == 200


def test_the_buyer_is_printed_as_issued(owner_client, owner):
    invoice = make_invoice(owner, buyer_name="SM Zgoda (nazwa z dnia wystawienia)", buyer_street="ul. Stara 1")
    owner.name, owner.street = "SM Zgoda po zmianie nazwy", "ul. Nowa 2"
    owner.save()
    body = owner_client.get(url(invoice)).content.decode()
    assert "SM Zgoda (nazwa z dnia wystawienia)" in body
    assert "ul. Stara 1" in body
    assert "ul. Nowa 2" not in body.split("<main", 1)[1].split("customer-badge", 1)[-1]


def test_both_invoices_say_where_an_overpayment_went(owner_client, owner):
    overdue = overpaid_beside_overdue(owner)
    corrected = overdue.customer.invoices.get(number="FV/2025/06/0002")
    said = (
        "Nadpłata 1\xa0665,96\xa0zł po korekcie KOR/2025/08/0001 została zaliczona na fakturę FV/2025/10/0003 "
        "(termin 15.11.2025)."
    )
    overdue_page = owner_client.get(url(overdue)).content.decode()
    assert "pozostało do zapłaty 58\xa0922,91\xa0zł" in overdue_page
    assert said in overdue_page
    corrected_page = owner_client.get(url(corrected)).content.decode()
    assert said in corrected_page
    assert "— nadpłata" not in corrected_page  # all of it went to FV/2025/10/0003
