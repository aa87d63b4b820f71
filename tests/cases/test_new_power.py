"""Wniosek o zmianę mocy zamówionej: a point of the customer's own with its current power, the requested
value in MW (> 0, at most 4 decimals) and the date from which (not in the past)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from customers.models import MeteringPoint
from tests.conftest import page_text

URL = reverse("cases:new_power")
NOW = datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)


def post(client, point, **data):
    values = {"point": point.pk, "requested_power_mw": "0,2100", "requested_from": "2027-01-01", **data}
    with time_machine.travel(NOW):
        return client.post(URL, values)


def test_it_shows_the_current_ordered_power_of_each_point(owner_client, point):
    text = page_text(owner_client.get(URL).content.decode())
    assert "W-0123 ul. Grunwaldzka 12, Jaworzno 0,2500" in text
    assert "W-0123 — ul. Grunwaldzka 12, Jaworzno (moc zamówiona 0,2500 MW)" in text


def test_a_valid_request_is_filed_due_in_30_days(owner_client, owner, point):
    response = post(owner_client, point, body="Budynek po termomodernizacji.")
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert (case.kind, case.point, case.requested_power_mw) == ("moc", point, Decimal("0.2100"))
    assert case.requested_from == datetime.date(2027, 1, 1)
    assert case.due_on == datetime.date(2026, 12, 20)
    assert case.subject == "Zmiana mocy zamówionej: W-0123, 0,2100 MW od 01.01.2027"
    text = page_text(owner_client.get(response["Location"]).content.decode())
    assert "Wnioskowana moc zamówiona 0,2100 MW (obecnie 0,2500 MW) Od dnia 01.01.2027" in text


def test_today_is_the_earliest_date(owner_client, point):
    assert post(owner_client, point, requested_from="2026-11-20").status_code == 302


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"requested_power_mw": "0"}, "Wnioskowana moc musi być większa od zera."),
        ({"requested_power_mw": "-0,1"}, "Wnioskowana moc musi być większa od zera."),
        ({"requested_power_mw": "0,12345"}, "Moc można podać z dokładnością do 4 miejsc po przecinku (0,0001 MW)."),
        ({"requested_power_mw": "dwa"}, "Wpisz moc w MW jako liczbę, np. 0,2750."),
        ({"requested_power_mw": ""}, "Podaj wnioskowaną moc zamówioną w MW."),
        ({"requested_power_mw": "0,25"}, "To jest obecna moc zamówiona tego punktu."),
        ({"requested_from": "2026-11-19"}, "Data nie może być wcześniejsza niż dziś (20.11.2026)."),
        ({"requested_from": "jutro"}, "Wpisz datę, np. 2026-12-01."),
        ({"requested_from": ""}, "Podaj datę, od której ma obowiązywać nowa moc."),
    ],
)
def test_an_invalid_request_is_refused_with_a_clear_message(owner_client, point, data, error):
    response = post(owner_client, point, **data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Case.objects.exists()


def test_it_checks_ownership(owner_client, point, sibling, stranger):
    for other in (sibling, stranger):
        foreign = MeteringPoint.objects.create(
            region=other.region, identifier=f"W-{other.pk}", customer=other, address="ul. Obca 1"
        )
        assert foreign.identifier not in owner_client.get(URL).content.decode()
        response = post(owner_client, foreign)
        assert "Wybierz jeden ze swoich punktów poboru z listy." in response.content.decode()
    assert not Case.objects.exists()


def test_every_post_needs_the_csrf_token(csrf_client, point):
    assert post(csrf_client, point).status_code == 403
    assert not Case.objects.exists()
