"""Wniosek o zmianę danych kontaktowych: a new phone, e-mail or postal address (at least one); the eBOK
address itself changes only on a written request."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.conftest import log_in, page_text

URL = reverse("cases:new_contact")


def test_it_explains_that_the_ebok_address_changes_only_in_writing(owner_client):
    text = page_text(owner_client.get(URL).content.decode())
    assert "Adres e-mail konta eBOK" in text
    assert "tylko na podstawie pisemnego, podpisanego wniosku" in text


def test_one_new_datum_is_enough(owner_client, owner):
    response = owner_client.post(URL, {"contact_phone": " +48 600 100  200 "})
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert (case.kind, case.contact_phone, case.contact_email) == ("dane", "+48 600 100 200", "")
    assert case.contact_address == ""
    assert case.subject == "Zmiana danych kontaktowych"


def test_all_three_are_kept_and_shown(owner_client):
    data = {"contact_phone": "32 614 01 31", "contact_email": "biuro@sm-zgoda.example",
            "contact_address": "ul. Grunwaldzka 14, 43-600 Jaworzno", "body": "Od 1 grudnia."}  # fmt: skip
    owner_client.post(URL, data)
    case = Case.objects.get()
    text = page_text(owner_client.get(reverse("cases:detail", args=[case.public_id])).content.decode())
    assert "Nowy telefon 32 614 01 31" in text
    assert "Nowy adres e-mail biuro@sm-zgoda.example" in text
    assert "Nowy adres korespondencyjny ul. Grunwaldzka 14, 43-600 Jaworzno" in text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Podaj co najmniej jedną nową daną: telefon, adres e-mail lub adres korespondencyjny."),
        ({"contact_phone": "12 34"}, "Wpisz numer telefonu: co najmniej 9 cyfr"),
        ({"contact_phone": "600-abc-200"}, "Wpisz numer telefonu: co najmniej 9 cyfr"),
        ({"contact_email": "biuro@"}, "Wpisz poprawny adres e-mail, np. biuro@example.pl."),
        ({"contact_address": "Jaworzno"}, "Podaj pełny adres: ulicę i numer, kod pocztowy i miejscowość."),
    ],
)
def test_invalid_data_is_refused_with_a_clear_message(owner_client, data, error):
    response = owner_client.post(URL, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Case.objects.exists()


def test_it_checks_ownership(client, owner, sibling):
    """The case is the logged-in customer's, whatever the form says."""
    log_in(client, sibling)
    client.post(URL, {"contact_phone": "600100200", "customer": owner.pk, "customer_id": owner.pk})
    assert Case.objects.get().customer == sibling


def test_every_post_needs_the_csrf_token(csrf_client):
    assert csrf_client.post(URL, {"contact_phone": "600100200"}).status_code == 403
    assert not Case.objects.exists()
