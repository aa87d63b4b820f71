"""Reklamacja faktury: started from the invoice's page (or the invoice picked from the customer's own), the
disputed amount or lines and the reason; due 14 days after filing."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from invoices.models import InvoiceLine
from tests.cases.conftest import pdf_bytes, stored_files, upload
from tests.conftest import page_text
from tests.invoices.conftest import make_invoice

URL = reverse("cases:new_complaint")


@pytest.fixture
def invoice(owner):
    invoice = make_invoice(owner, gross="1230.00")
    InvoiceLine.objects.create(
        invoice=invoice, position=2, name="Opłata stała za moc zamówioną", unit="MW", quantity=Decimal("0.25"),
        unit_net_price=Decimal("400.00"), net_value=Decimal("100.00"), vat_rate="23",
    )  # fmt: skip
    return invoice


def url(invoice):
    return f"{URL}?faktura={invoice.public_id}"


def post(client, invoice, **data):
    return client.post(url(invoice), {"body": "Odczyt licznika z 31.10. jest zawyżony.", **data})


def test_the_invoice_page_starts_a_complaint(owner_client, invoice):
    body = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert f'href="{url(invoice)}">Złóż reklamację</a>' in body.replace("&amp;", "&")


def test_without_an_invoice_the_customer_picks_one_of_its_own(owner_client, owner, invoice, sibling):
    foreign = make_invoice(sibling, "FV/2026/10/0999")
    body = owner_client.get(URL).content.decode()
    assert f'<option value="{invoice.public_id}">FV/2026/10/0001' in body
    assert str(foreign.public_id) not in body
    assert owner_client.get(URL, {"faktura": str(invoice.public_id)}).status_code == 200


def test_the_form_shows_the_invoice_its_lines_and_the_due_date(owner_client, invoice):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        text = page_text(owner_client.get(url(invoice)).content.decode())
    assert "Reklamacja faktury FV/2026/10/0001" in text
    assert "1. Ciepło — zużycie — 1\xa0000,00\xa0zł netto" in text
    assert "2. Opłata stała za moc zamówioną — 100,00\xa0zł netto" in text
    assert "w ciągu 14 dni od złożenia, czyli do 04.12.2026" in text


def test_the_form_says_the_complaints_due_days_as_set(owner_client, invoice, settings):
    settings.EBOK_CASE_DUE_DAYS = {**settings.EBOK_CASE_DUE_DAYS, Case.Kind.COMPLAINT: 21}
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        text = page_text(owner_client.get(url(invoice)).content.decode())
    assert "Reklamację rozpatrujemy w ciągu 21 dni." in text
    assert "w ciągu 21 dni od złożenia, czyli do 11.12.2026" in text
    assert "14 dni" not in text


def test_the_error_summary_links_each_error_to_its_input(owner_client, invoice):
    html = post(owner_client, invoice, disputed_amount="abc", body="").content.decode()
    summary = html[html.index('id="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert '<a href="#id_disputed_amount">' in summary
    assert '<a href="#id_body">' in summary
    assert 'id="id_disputed_amount"' in html
    assert 'id="id_body"' in html
    html = post(owner_client, invoice, disputed_lines=["999999"]).content.decode()
    assert '<a href="#id_disputed_lines_0">' in html  # a group of checkboxes: its first
    assert 'id="id_disputed_lines_0"' in html


def test_a_complaint_with_an_amount_is_due_14_days_after_filing(owner_client, owner, invoice):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        response = post(owner_client, invoice, disputed_amount="123,45")
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert (case.kind, case.invoice, case.disputed_amount) == ("reklamacja", invoice, Decimal("123.45"))
    assert case.subject == "Reklamacja faktury FV/2026/10/0001"
    assert case.due_on == datetime.date(2026, 12, 4)
    page = page_text(owner_client.get(response["Location"]).content.decode())
    assert "Termin odpowiedzi 04.12.2026" in page
    assert "Kwota reklamowana 123,45\xa0zł" in page


def test_a_complaint_may_name_the_disputed_lines_instead(owner_client, invoice):
    lines = list(invoice.lines.order_by("position"))
    assert post(owner_client, invoice, disputed_lines=[lines[1].pk]).status_code == 302
    case = Case.objects.get()
    assert case.disputed_amount is None
    assert list(case.disputed_lines.all()) == [lines[1]]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Podaj kwotę reklamowaną lub zaznacz reklamowane pozycje faktury (albo jedno i drugie)."),
        ({"disputed_amount": "0"}, "Kwota reklamowana musi być większa od zera."),
        ({"disputed_amount": "-5"}, "Kwota reklamowana musi być większa od zera."),
        ({"disputed_amount": "12,345"}, "Kwota może mieć najwyżej 2 miejsca po przecinku (grosze)."),
        ({"disputed_amount": "dużo"}, "Wpisz kwotę w złotych, np. 123,45."),
        ({"disputed_amount": "1230,01"}, "nie może być większa niż kwota faktury (1\xa0230,00\xa0zł)."),
        ({"disputed_amount": "10", "body": ""}, "Napisz, dlaczego faktura jest reklamowana."),
    ],
)
def test_an_invalid_complaint_is_refused_with_a_clear_message(owner_client, invoice, data, error):
    response = post(owner_client, invoice, **data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Case.objects.exists()


def test_it_checks_ownership(owner_client, owner, invoice, sibling, stranger):
    for other in (sibling, stranger):
        foreign = make_invoice(other, f"FV/2026/10/{other.pk:04d}")
        assert owner_client.get(url(foreign)).status_code == 404
        assert post(owner_client, foreign, disputed_amount="10").status_code == 404
        foreign_line = foreign.lines.get()
        response = post(owner_client, invoice, disputed_lines=[foreign_line.pk])
        assert "Zaznacz pozycje tej faktury." in response.content.decode()
    assert owner_client.get(URL, {"faktura": "nie-uuid"}).status_code == 404
    assert not Case.objects.exists()


def test_a_pdf_named_jpg_is_accepted_and_kept_as_a_pdf(owner_client, invoice):
    response = post(owner_client, invoice, disputed_amount="10", attachments=[upload("skan faktury.jpg", pdf_bytes())])
    assert response.status_code == 302
    attachment = Case.objects.get().messages.get().attachments.get()
    assert (attachment.name, attachment.content_type) == ("skan faktury.pdf", "application/pdf")
    download = owner_client.get(reverse("cases:attachment", args=[Case.objects.get().public_id, attachment.public_id]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="skan faktury.pdf"'
    assert stored_files() == [attachment.file.name]


def test_every_post_needs_the_csrf_token(csrf_client, invoice):
    assert post(csrf_client, invoice, disputed_amount="10").status_code == 403
    assert not Case.objects.exists()
