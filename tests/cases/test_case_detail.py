"""The case's page: its details, the thread without staff notes, the files as downloads, the status history,
the message form while the case takes messages, the close button while it is open."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case
from tests.cases.conftest import file_case, pdf_bytes, png_bytes, upload
from tests.conftest import log_in, page_text


def url(case):
    return reverse("cases:detail", args=[case.public_id])


def test_the_url_carries_the_public_id_not_the_number_or_database_id(owner_case):
    assert str(owner_case.public_id) in url(owner_case)
    assert "2026" not in url(owner_case).replace(str(owner_case.public_id), "")


def test_it_checks_ownership(owner_client, foreign_cases):
    for foreign in foreign_cases:
        assert owner_client.get(url(foreign)).status_code == 404
    assert owner_client.get("/sprawy/1b4e28ba-2fa1-11d2-883f-0016d3cca427/").status_code == 404


def test_it_shows_the_case_and_its_thread(owner_client, owner, staff_user):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False):
        case = file_case(owner, body="Proszę o duplikat umowy.", files=[upload("wniosek.pdf", pdf_bytes())])
    with time_machine.travel(datetime.datetime(2026, 11, 23, 11, tzinfo=datetime.UTC), tick=False):
        services.case_answer(case=case, user=staff_user, body="Duplikat wysłano pocztą.")
    text = page_text(owner_client.get(url(case)).content.decode())
    assert "Sprawa JAW/2026/00001" in text
    assert "Rodzaj Inny wniosek Temat Duplikat umowy Stan udzielono odpowiedzi" in text
    assert "Złożono 20.11.2026 10:00 Termin odpowiedzi 20.12.2026 Ostatnia odpowiedź 23.11.2026 12:00" in text
    assert "Odbiorca, 20.11.2026 10:00 Proszę o duplikat umowy. wniosek.pdf (138\xa0bajtów)" in text
    assert "Biuro Obsługi Klienta, 23.11.2026 12:00 Duplikat wysłano pocztą." in text
    assert "20.11.2026 10:00 nowa Odbiorca 23.11.2026 12:00 udzielono odpowiedzi Biuro Obsługi Klienta" in text


def test_staff_notes_never_appear(owner_client, owner_case, staff_user):
    services.case_note(
        case=owner_case, user=staff_user, body="Klient dzwonił 3 razy, uważać.", files=_checked("notatka.pdf")
    )
    body = owner_client.get(url(owner_case)).content.decode()
    assert "Klient dzwonił" not in body
    assert "notatka" not in body


def test_an_open_case_takes_a_message_with_files_and_can_be_closed(owner_client, owner_case):
    body = owner_client.get(url(owner_case)).content.decode()
    assert f'action="{reverse("cases:message", args=[owner_case.public_id])}" enctype="multipart/form-data"' in body
    assert 'type="file" name="attachments" accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"' in body
    assert " multiple" in body
    assert f'action="{reverse("cases:close", args=[owner_case.public_id])}"' in body


def test_a_case_closed_less_than_30_days_ago_says_a_message_reopens_it(client, owner, owner_case):
    services.case_close(case=owner_case, user=owner_case.messages.get().user)
    with time_machine.travel(datetime.timedelta(days=29)):
        text = page_text(log_in(client, owner).get(url(owner_case)).content.decode())
    assert "Wiadomość wysłana w ciągu 30 dni od zamknięcia wznowi ją." in text
    assert "Wyślij i wznów sprawę" in text
    assert "Zamknij sprawę" not in text


def test_a_case_closed_30_days_ago_asks_for_a_new_case(client, owner, owner_case):
    services.case_close(case=owner_case, user=owner_case.messages.get().user)
    with time_machine.travel(datetime.timedelta(days=30, seconds=1)):
        body = log_in(client, owner).get(url(owner_case)).content.decode()
    assert "Sprawa jest zamknięta od ponad 30 dni." in body
    assert 'name="attachments"' not in body


def test_a_complaint_shows_its_invoice_and_lines(owner_client, owner):
    from tests.invoices.conftest import make_invoice

    invoice = make_invoice(owner)
    case = file_case(owner, kind=Case.Kind.COMPLAINT, invoice=invoice, disputed_lines=list(invoice.lines.all()))
    text = page_text(owner_client.get(url(case)).content.decode())
    assert "Faktura FV/2026/10/0001 (1\xa0230,00\xa0zł)" in text
    assert "Reklamowane pozycje 1. Ciepło — zużycie — 1\xa0000,00\xa0zł netto" in text


@pytest.mark.parametrize("count", [1, 12])
def test_the_number_of_queries_does_not_grow(client, owner, staff_user, count, django_assert_max_num_queries):
    from tests.invoices.conftest import make_invoice

    invoice = make_invoice(owner)
    case = file_case(owner, kind=Case.Kind.COMPLAINT, invoice=invoice, disputed_lines=list(invoice.lines.all()))
    for n in range(count):
        services.case_answer(case=case, user=staff_user, body=f"Odpowiedź {n}", files=_checked("a.pdf", "b.png"))
        services.case_note(case=case, user=staff_user, body=f"Notatka {n}")
        services.case_post_customer_message(
            case=case, user=case.messages.first().user, body=f"Pytanie {n}", files=_checked("c.pdf")
        )
    log_in(client, owner)
    with django_assert_max_num_queries(9):
        assert client.get(url(case)).status_code == 200


def _checked(*names):
    from cases.attachments import check_files

    uploads = [upload(name, png_bytes() if name.endswith(".png") else pdf_bytes()) for name in names]
    return check_files(uploads, budget_left=10**9)
