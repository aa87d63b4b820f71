"""Nowa sprawa: the choice of kind, with the emergency line first."""

from django.test import override_settings
from django.urls import reverse

from tests.conftest import log_in_staff, page_text

URL = reverse("cases:new")


def test_it_checks_ownership(client, staff_user, db):
    """Only a logged-in customer files a case, always its own: staff and visitors are sent away."""
    assert client.get(URL)["Location"] == reverse("landing")
    assert log_in_staff(client, staff_user).get(URL)["Location"] == reverse("landing")


def test_it_offers_every_kind_in_one_fieldset(owner_client):
    body = owner_client.get(URL).content.decode()
    assert "<legend>Czego dotyczy sprawa?</legend>" in body
    for label in ("Awaria / brak ogrzewania", "Reklamacja faktury", "Wniosek o zmianę mocy zamówionej",
                  "Wniosek o zmianę danych kontaktowych", "Inny wniosek"):  # fmt: skip
        assert f">{label}</label>" in body
    assert "Odpowiedź w ciągu 14 dni." in page_text(body)


@override_settings(EBOK_EMERGENCY_PHONE="32 615 00 00")
def test_the_emergency_line_comes_first(owner_client):
    body = owner_client.get(URL).content.decode()
    assert body.index('href="tel:326150000"') < body.index("<fieldset>")


def test_a_chosen_kind_leads_to_its_form(owner_client):
    for kind, name in [("awaria", "new_outage"), ("reklamacja", "new_complaint"), ("moc", "new_power"),
                       ("dane", "new_contact"), ("wniosek", "new_other")]:  # fmt: skip
        assert owner_client.get(URL, {"rodzaj": kind})["Location"] == reverse(f"cases:{name}")


def test_an_unknown_kind_is_a_clear_error(owner_client):
    response = owner_client.get(URL, {"rodzaj": "przelew"})
    assert response.status_code == 400
    assert "Wybierz rodzaj sprawy z listy." in response.content.decode()
