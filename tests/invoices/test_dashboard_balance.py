import datetime

import pytest
from django.urls import reverse

from tests.conftest import log_in
from tests.invoices.conftest import make_invoice, make_payment, overpaid_beside_overdue

URL = reverse("dashboard")


def balance_panel(body):
    return body[body.index('<section class="balance-panel"') : body.index("</section>", body.index("balance-panel"))]


def test_pulpit_shows_the_balance_and_the_account(owner_client, owner):
    overdue = make_invoice(owner, "FV/1", gross="1000.00", due_date=datetime.date(2026, 1, 1))
    make_payment(owner, "400.00", invoice=overdue)
    make_invoice(owner, "FV/2", gross="234.56", due_date=datetime.date(2999, 1, 1))
    make_payment(owner, "10.00")
    response = owner_client.get(URL)
    body = response.content.decode()
    balance = response.context["balance"]
    # The payment naming no invoice went to the overdue FV/1 (Kodeks cywilny art. 451 § 3).
    assert (str(balance.to_pay), str(balance.overdue), str(balance.overpaid)) == ("824.56", "590.00", "0.00")
    section = balance_panel(body)
    assert "824,56\xa0zł" in section
    assert "590,00\xa0zł" in section
    assert "10,00\xa0zł zaliczono na fakturę FV/1 (termin 01.01.2026)" in section
    assert "61 1090 1014 0000 0712 1981 2874" in section


def test_pulpit_says_where_an_overpayment_went(owner_client, owner):
    overpaid_beside_overdue(owner)
    section = balance_panel(owner_client.get(URL).content.decode())
    assert "<strong>58\xa0922,91\xa0zł</strong>" in section  # 60 588,87 less the correction's 1 665,96
    assert (
        "Nadpłata 1\xa0665,96\xa0zł po korekcie KOR/2025/08/0001 została zaliczona na fakturę FV/2025/10/0003 "
        "(termin 15.11.2025)."
    ) in section
    assert 'Nadpłata</dt><dd class="num">0,00\xa0zł' in section
    assert "zostanie zaliczona na kolejne faktury" not in section


def test_pulpit_says_an_overpayment_left_waits_for_the_next_invoices(owner_client, owner):
    invoice = make_invoice(owner, "FV/1", gross="100.00")
    make_payment(owner, "100.00", invoice=invoice)
    make_payment(owner, "25.50")
    section = balance_panel(owner_client.get(URL).content.decode())
    assert "Nadpłata 25,50\xa0zł zostanie zaliczona na kolejne faktury." in section
    assert "zaliczono na fakturę" not in section


def test_pulpit_lists_the_latest_invoices_and_links_to_the_sections(owner_client, owner, foreign_invoices):
    for month in range(1, 8):
        make_invoice(owner, f"FV/{month}", issue_date=datetime.date(2026, month, 3))
    body = owner_client.get(URL).content.decode()
    assert [n for n in (f"FV/{m}" for m in range(1, 8)) if f">{n}<" in body] == [
        "FV/3",
        "FV/4",
        "FV/5",
        "FV/6",
        "FV/7",
    ]
    assert f'href="{reverse("invoices:list")}"' in body
    assert f'href="{reverse("invoices:settlements")}"' in body
    assert "FV/OBCY" not in body


def test_pulpit_without_invoices(owner_client):
    body = owner_client.get(URL).content.decode()
    assert "Nie ma jeszcze faktur." in body
    assert "0,00\xa0zł" in body


@pytest.mark.parametrize("count", [2, 60])
def test_the_number_of_queries_does_not_grow(client, owner, count, django_assert_max_num_queries):
    for n in range(count):
        invoice = make_invoice(owner, f"FV/{n:04d}", lines=False)
        make_payment(owner, "10.00", invoice=invoice)
        make_invoice(owner, f"KOR/{n:04d}", gross="-1.00", lines=False, corrects=invoice)  # credits to apply
        make_payment(owner, "3.00")
    log_in(client, owner)
    with django_assert_max_num_queries(8):  # 6, the box of open cases (cases_box), the outages on its points
        assert client.get(URL).status_code == 200


def test_pulpit_links_each_newest_invoice_to_its_page(owner_client, owner):
    invoices = [make_invoice(owner, f"FV/{n}", issue_date=datetime.date(2026, 1, n)) for n in range(1, 4)]
    section = balance_panel(owner_client.get(URL).content.decode())
    for invoice in invoices:
        assert f'<a href="{reverse("invoices:detail", args=[invoice.public_id])}">{invoice.number}</a>' in section
