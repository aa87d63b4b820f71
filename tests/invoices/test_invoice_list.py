import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import log_in
from tests.invoices.conftest import make_invoice, make_payment, overpaid_beside_overdue

URL = reverse("invoices:list")


def numbers(response):
    return [document.number for document in response.context["page"].object_list]


def test_it_requires_a_logged_in_customer(client, db):
    assert client.get(URL)["Location"] == reverse("landing")


def test_it_lists_the_customers_invoices_newest_first(owner_client, owner):
    make_invoice(owner, "FV/2026/09/0001", issue_date=datetime.date(2026, 10, 2))
    make_invoice(owner, "FV/2026/10/0001", issue_date=datetime.date(2026, 11, 3))
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert numbers(response) == ["FV/2026/10/0001", "FV/2026/09/0001"]
    body = response.content.decode()
    for text in ("03.11.2026", "01.10.2026 – 31.10.2026", "1\xa0230,00\xa0zł", "17.11.2026"):
        assert text in body
    assert 'aria-current="page">Faktury' in body


def test_it_checks_ownership(owner_client, owner, foreign_invoices):
    make_invoice(owner)
    response = owner_client.get(URL)
    assert numbers(response) == ["FV/2026/10/0001"]
    assert "FV/OBCY" not in response.content.decode()


def test_it_shows_the_state_of_each_invoice(owner_client, owner):
    paid = make_invoice(owner, "FV/1", due_date=datetime.date(2000, 1, 1))
    make_payment(owner, paid.gross, invoice=paid)
    make_invoice(owner, "FV/2", due_date=datetime.date(2000, 1, 1))
    make_invoice(owner, "FV/3", due_date=datetime.date(2999, 1, 1))
    make_invoice(owner, "KOR/1", gross="-10.00", corrects=paid)
    states = {d.number: d.state for d in owner_client.get(URL).context["page"].object_list}
    assert states == {"FV/1": "paid", "FV/2": "overdue", "FV/3": "due", "KOR/1": "correction"}


def test_corrections_appear_beside_the_invoice_they_correct_both_ways(owner_client, owner):
    invoice = make_invoice(owner, "FV/2026/10/0001")
    correction = make_invoice(owner, "KOR/2026/11/0001", gross="-123.00", corrects=invoice)
    body = owner_client.get(URL).content.decode()
    link_to_correction = f'korekta: <a href="{reverse("invoices:detail", args=[correction.public_id])}">'
    link_to_invoice = f'koryguje <a href="{reverse("invoices:detail", args=[invoice.public_id])}">'
    assert link_to_correction in body
    assert link_to_invoice in body


def test_it_filters_by_year_and_by_paid(owner_client, owner):
    old = make_invoice(owner, "FV/2025/10/0001", issue_date=datetime.date(2025, 11, 3))
    make_payment(owner, old.gross, invoice=old)
    make_invoice(owner, "FV/2026/10/0001")
    assert numbers(owner_client.get(URL, {"rok": "2025"})) == ["FV/2025/10/0001"]
    assert numbers(owner_client.get(URL, {"stan": "nieoplacone"})) == ["FV/2026/10/0001"]
    assert numbers(owner_client.get(URL, {"stan": "oplacone", "rok": "2026"})) == []


def test_a_bad_filter_shows_a_message_and_everything(owner_client, owner):
    make_invoice(owner)
    response = owner_client.get(URL, {"rok": "1999", "stan": "<script>"})
    assert response.status_code == 200
    assert "Nieprawidłowy filtr" in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert numbers(response) == ["FV/2026/10/0001"]


def test_it_paginates_and_keeps_the_filter(owner_client, owner):
    for month in range(1, 26):
        make_invoice(owner, f"FV/{month:04d}", issue_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=month))
    first = owner_client.get(URL, {"rok": "2026"})
    assert len(numbers(first)) == 20
    assert "?rok=2026&amp;strona=2" in first.content.decode()
    second = owner_client.get(URL, {"rok": "2026", "strona": "2"})
    assert numbers(second) == [f"FV/{month:04d}" for month in range(5, 0, -1)]
    assert numbers(owner_client.get(URL, {"strona": "abc"})) == numbers(first)


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("query", [{}, {"rok": "2025"}, {"stan": "oplacone"}, {"rok": "1999", "stan": "<b>"}])
def test_the_filters_selects_are_written_as_djangos_widgets_write_them(owner_client, owner, query, language):
    make_invoice(owner, "FV/2025/10/0001", issue_date=datetime.date(2025, 11, 3))
    make_invoice(owner)
    response = owner_client.get(URL, query, headers={"accept-language": language})
    body = response.content.decode()
    form = response.context["form"]
    with translation.override(language):
        for name in ("rok", "stan"):
            assert f'<div class="filters__field">{form[name].label_tag()} {form[name]}</div>' in body


@pytest.mark.parametrize("count", [3, 60])
def test_the_number_of_queries_does_not_grow_with_invoices(client, owner, count, django_assert_max_num_queries):
    for n in range(count):
        invoice = make_invoice(owner, f"FV/{n:04d}", lines=False)
        make_payment(owner, "10.00", invoice=invoice)
    make_invoice(owner, "KOR/1", gross="-1.00", corrects=invoice, lines=False)
    log_in(client, owner)
    with django_assert_max_num_queries(5):
        assert client.get(URL, {"stan": "nieoplacone"}).status_code == 200


def test_what_is_left_counts_the_overpayment_applied(owner_client, owner):
    overpaid_beside_overdue(owner)
    body = owner_client.get(URL).content.decode()
    assert "Do zapłaty: <strong>58\xa0922,91\xa0zł</strong> (w tym po terminie 58\xa0922,91\xa0zł)</p>" in body
    assert "pozostało 58\xa0922,91\xa0zł</small><br><small>zaliczono nadpłatę 1\xa0665,96\xa0zł</small>" in body
    assert "nadpłata:" not in body  # nothing left over once it is applied


def test_each_row_links_to_its_invoices_page(owner_client, owner):
    invoices = [make_invoice(owner, f"FV/{n}", issue_date=datetime.date(2026, 1, n)) for n in range(1, 4)]
    body = owner_client.get(URL).content.decode()
    for invoice in invoices:
        assert (
            f'<th scope="row"><a href="{reverse("invoices:detail", args=[invoice.public_id])}">{invoice.number}</a>'
            in body
        )
