import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from invoices.statement import build_statement
from tests.conftest import log_in, page_text
from tests.invoices.conftest import make_invoice, make_payment, overpaid_beside_overdue

URL = reverse("invoices:settlements")
STATEMENT = reverse("invoices:statement")


@pytest.fixture
def history(owner):
    """September and October invoices, a partial and a full payment, a correction, an unassigned payment."""
    september = make_invoice(owner, "FV/09", gross="1000.00", issue_date=datetime.date(2026, 9, 4))
    october = make_invoice(owner, "FV/10", gross="500.00", issue_date=datetime.date(2026, 10, 5))
    make_payment(owner, "1000.00", invoice=september, date=datetime.date(2026, 9, 15), billing_id="W1")
    make_invoice(owner, "KOR/10", gross="-100.00", corrects=october, issue_date=datetime.date(2026, 10, 20))
    make_payment(owner, "300.00", invoice=october, date=datetime.date(2026, 10, 20), billing_id="W2")
    make_payment(owner, "50.00", date=datetime.date(2026, 11, 2), billing_id="W3")
    return owner


def test_the_timeline_has_a_running_balance(history):
    statement = build_statement(history)
    rows = [(e.date.day, e.number, e.charge, e.credit, e.balance) for e in statement.entries]
    assert rows == [
        (4, "FV/09", Decimal("1000.00"), None, Decimal("1000.00")),
        (15, "W1", None, Decimal("1000.00"), Decimal("0.00")),
        (5, "FV/10", Decimal("500.00"), None, Decimal("500.00")),
        (20, "KOR/10", Decimal("-100.00"), None, Decimal("400.00")),  # invoices before payments on a day
        (20, "W2", None, Decimal("300.00"), Decimal("100.00")),
        (2, "W3", None, Decimal("50.00"), Decimal("50.00")),
        (2, "FV/10", None, None, Decimal("50.00")),  # W3 names no invoice: applied to FV/10, the balance stays
    ]
    assert statement.entries[-1].kind == "application"
    assert statement.opening == 0
    assert statement.closing == Decimal("50.00")


def test_a_period_opens_with_the_balance_before_it(history):
    statement = build_statement(history, date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31))
    assert statement.opening == Decimal("0.00")
    assert [e.number for e in statement.entries] == ["FV/10", "KOR/10", "W2"]
    assert statement.closing == Decimal("100.00")
    later = build_statement(history, date_from=datetime.date(2026, 10, 21))
    assert (later.opening, later.closing) == (Decimal("100.00"), Decimal("50.00"))


def test_the_page_shows_the_timeline_for_a_period(owner_client, history):
    response = owner_client.get(URL, {"od": "2026-10-01", "do": "2026-10-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saldo otwarcia" in body
    assert "Korekta faktury FV/10" in page_text(body)
    assert "Wpłata za fakturę FV/10" in page_text(body)
    assert "W3" not in body
    assert 'aria-current="page">Rozliczenia' in body


def test_a_bad_period_gets_a_message(owner_client, history):
    response = owner_client.get(URL, {"od": "2026-10-31", "do": "2026-10-01"})
    assert "Początek okresu musi być nie późniejszy" in response.content.decode()
    assert owner_client.get(STATEMENT, {"od": "31.13.2026"}).status_code == 400


def test_it_checks_ownership(owner_client, history, sibling, stranger):
    for other, mark in ((sibling, "S"), (stranger, "X")):
        invoice = make_invoice(other, f"FV/OBCY/{mark}", gross="777.00", issue_date=datetime.date(2026, 10, 6))
        make_payment(other, "888.00", invoice=invoice, billing_id=f"OBCA-{mark}", date=datetime.date(2026, 10, 7))
    body = owner_client.get(URL).content.decode()
    assert "FV/OBCY" not in body
    assert "OBCA" not in body
    pages = PdfReader(io.BytesIO(owner_client.get(STATEMENT).content)).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert "FV/OBCY" not in text
    assert "OBCA" not in text
    assert "888" not in text


def test_statements_per_customer_are_limited(owner_client, history, monkeypatch):
    from accounts.limits import Rule

    monkeypatch.setattr("invoices.views.STATEMENTS_PER_CUSTOMER", Rule(2, 3600, "test"))
    # The clock stands still: rendering two PDFs on a busy machine can take over a second.
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(2):
            assert owner_client.get(STATEMENT, {"od": "2026-10-01", "do": "2026-10-31"}).status_code == 200
        response = owner_client.get(STATEMENT, {"od": "2026-10-01", "do": "2026-10-31"})
    assert response.status_code == 429
    assert "Zbyt wiele zestawień" in response.content.decode()
    assert response["Retry-After"] == "3600"


def test_the_statement_is_a_pdf_of_the_period(owner_client, history):
    response = owner_client.get(STATEMENT, {"od": "2026-10-01", "do": "2026-10-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="zestawienie_001234-0000_2026-10-01_2026-10-31.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(
        "\xa0", " "
    )
    for expected in ("Zestawienie rozliczeń", "001234-0000", "Saldo otwarcia", "FV/10", "KOR/10", "W2"):
        assert expected in text, expected
    assert "Saldo zamknięcia" in text
    assert "100,00 zł" in text
    assert "FV/09" not in text


def test_it_requires_a_logged_in_customer(client, db):
    assert client.get(URL)["Location"] == reverse("landing")
    assert client.get(STATEMENT)["Location"] == reverse("landing")


@pytest.mark.parametrize("count", [2, 60])
def test_the_number_of_queries_does_not_grow(client, owner, count, django_assert_max_num_queries):
    for n in range(count):
        invoice = make_invoice(owner, f"FV/{n:04d}", lines=False)
        make_payment(owner, "10.00", invoice=invoice, title=f"Zapłata za fakturę FV/{n:04d}")
        make_invoice(owner, f"KOR/{n:04d}", gross="-1.00", lines=False, corrects=invoice)
        make_payment(owner, "3.00")  # names no invoice: applied to the oldest
    log_in(client, owner)
    # Session, login with customer, the Ledger's invoices and payments.
    with django_assert_max_num_queries(4):
        assert client.get(URL, {"od": "2026-01-01"}).status_code == 200


def test_a_payment_row_reads_once(owner_client, owner):
    overpaid_beside_overdue(owner)
    statement = build_statement(owner)
    payment = next(e for e in statement.entries if e.kind == "payment")
    assert payment.description == "Wpłata za fakturę FV/2025/06/0002"  # its title said the same
    body = owner_client.get(URL).content.decode()
    assert '<td>Wpłata za fakturę <span class="number">FV/2025/06/0002</span></td>' in body
    assert "Zapłata za fakturę" not in body


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Zapłata za fakturę FV/10", False),
        ("zaplata FV 10", False),
        ("FV/10", False),
        ("FV/10 i odsetki za zwłokę", True),
        ("Czynsz listopad", True),
    ],
)
def test_a_payment_title_is_shown_only_when_it_adds_something(owner, title, shown):
    invoice = make_invoice(owner, "FV/10")
    make_payment(owner, "10.00", invoice=invoice, title=title)
    (payment,) = (e for e in build_statement(owner).entries if e.kind == "payment")
    expected = f"Wpłata za fakturę FV/10, tytuł: {title}" if shown else "Wpłata za fakturę FV/10"
    assert payment.description == expected


def test_the_timeline_shows_where_an_overpayment_went_without_moving_the_balance(owner_client, owner):
    overpaid_beside_overdue(owner)
    statement = build_statement(owner)
    rows = [(e.date, e.kind, e.number, e.charge, e.credit, e.balance) for e in statement.entries]
    assert rows[-2:] == [
        (datetime.date(2025, 10, 31), "invoice", "FV/2025/10/0003", Decimal("60588.87"), None, Decimal("58922.91")),
        (datetime.date(2025, 10, 31), "application", "FV/2025/10/0003", None, None, Decimal("58922.91")),
    ]
    body = owner_client.get(URL).content.decode()
    assert "zaliczenie nadpłaty</th>" in body
    assert (
        "Nadpłata 1\xa0665,96\xa0zł po korekcie KOR/2025/08/0001 została zaliczona na fakturę FV/2025/10/0003 "
        "(termin 15.11.2025)."
    ) in page_text(body)


def test_an_application_outside_the_period_is_left_out(owner):
    overpaid_beside_overdue(owner)
    september = build_statement(owner, date_from=datetime.date(2025, 9, 1), date_to=datetime.date(2025, 9, 30))
    assert september.entries == []
    assert september.opening == september.closing == Decimal("-1665.96")


def test_the_statement_pdf_carries_the_application_and_one_payment_description(owner_client, owner):
    overpaid_beside_overdue(owner)
    response = owner_client.get(STATEMENT, {"od": "2025-01-01", "do": "2025-12-31"})
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.replace("\xa0", " ").split())
    assert "Wpłata za fakturę FV/2025/06/0002" in text
    assert "Zapłata za fakturę" not in text
    assert "zaliczenie nadpłaty" in text
    assert "została zaliczona na fakturę FV/2025/10/0003" in text
    assert "58 922,91 zł" in text


def test_a_document_number_in_a_description_is_kept_whole_and_the_text_escaped():
    from invoices.templatetags.money import keep_numbers_whole

    html = keep_numbers_whole("<b>Wpłata</b> za fakturę FV/2026/03/0001, tytuł: KOR/JAW/1-2")
    assert html == (
        '&lt;b&gt;Wpłata&lt;/b&gt; za fakturę <span class="number">FV/2026/03/0001</span>, tytuł: '
        '<span class="number">KOR/JAW/1-2</span>'
    )
