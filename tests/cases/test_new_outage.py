"""Awaria / brak ogrzewania: the emergency line first, a point of the customer's own, a description; the
daily limit of new cases (CASES_PER_CUSTOMER), counted only for valid forms."""

import dataclasses
import datetime

import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts import limits
from cases.models import Case, Message
from customers.models import MeteringPoint
from tests.cases.conftest import pdf_bytes, stored_files, upload
from tests.conftest import page_text

URL = reverse("cases:new_outage")


def post(client, point, body="Od rana zimne kaloryfery w klatkach A i B, woda letnia.", **extra):
    return client.post(URL, {"point": point.pk if point else "", "body": body, **extra})


@override_settings(EBOK_EMERGENCY_PHONE="993")
def test_the_emergency_line_comes_first_and_says_to_phone_it_in(owner_client, point):
    body = owner_client.get(URL).content.decode()
    assert body.index("<main") < body.index('<a href="tel:993">') < body.index('class="form case-form"')
    assert body.index("Pogotowie ciepłownicze — całą dobę") < body.index("Zgłoszenie w eBOK")
    assert "Awarię lub brak ogrzewania zgłoś także telefonicznie." in page_text(body)


def test_it_offers_only_the_customers_own_points(owner_client, owner, point, sibling):
    MeteringPoint.objects.create(region=sibling.region, identifier="W-9999", customer=sibling, address="ul. Obca 1")
    body = owner_client.get(URL).content.decode()
    assert "W-0123" in body
    assert "W-9999" not in body


def test_a_valid_report_files_a_case_due_the_next_day(owner_client, owner, point):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 7, tzinfo=datetime.UTC)):
        response = post(owner_client, point)
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert (case.customer, case.kind, case.point, case.status) == (owner, "awaria", point, "new")
    assert case.subject == "Brak ogrzewania: W-0123 ul. Grunwaldzka 12, Jaworzno"
    assert case.due_on == datetime.date(2026, 11, 21)
    assert case.messages.get().body.startswith("Od rana zimne kaloryfery")


def test_the_receipt_goes_out_with_the_number(owner_client, owner, point, run_worker):
    post(owner_client, point)
    run_worker()
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "JAW/2026/00001" in message.subject + message.body
    assert "zimne kaloryfery" not in message.body


def test_a_report_without_a_point_or_a_description_is_refused(owner_client, point):
    response = post(owner_client, None, body="  ")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Formularz zawiera błędy. Nic nie zostało zapisane." in body
    assert "Wybierz punkt poboru (węzeł) z listy." in body
    assert "Opisz awarię: co nie działa i od kiedy." in body
    assert not Case.objects.exists()


def test_it_checks_ownership(owner_client, point, sibling, stranger):
    for other in (sibling, stranger):
        foreign = MeteringPoint.objects.create(
            region=other.region, identifier=f"W-{other.pk}", customer=other, address="ul. Obca 1"
        )
        response = post(owner_client, foreign, attachments=[upload("zdjecie.pdf", pdf_bytes())])
        assert response.status_code == 200
        assert "Wybierz jeden ze swoich punktów poboru z listy." in response.content.decode()
    assert not Case.objects.exists()
    assert stored_files() == []


def test_every_post_needs_the_csrf_token(csrf_client, point):
    assert post(csrf_client, point).status_code == 403
    assert not Case.objects.exists()


def test_the_eleventh_case_in_a_day_is_refused_with_retry_after(owner_client, point):
    start = datetime.datetime(2026, 11, 20, 8, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            assert post(owner_client, point).status_code == 302
    with time_machine.travel(start + datetime.timedelta(hours=5), tick=False):
        refused = post(owner_client, point)
        assert owner_client.get(URL).status_code == 429
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(19 * 3600)
    assert "W ciągu doby złożono już tyle spraw, ile można złożyć jednego dnia." in refused.content.decode()
    assert Case.objects.count() == 10
    with time_machine.travel(start + datetime.timedelta(hours=24, seconds=1), tick=False):
        assert post(owner_client, point).status_code == 302


def test_a_form_sent_back_with_errors_uses_up_no_budget(owner_client, point):
    for _ in range(12):
        assert post(owner_client, point, body="").status_code == 200
    for _ in range(10):
        assert post(owner_client, point).status_code == 302
    assert Case.objects.count() == 10
    assert Message.objects.count() == 10


def test_the_refusal_names_no_number_the_rule_does_not_have(owner_client, point, monkeypatch):
    monkeypatch.setattr(limits, "CASES_PER_CUSTOMER", dataclasses.replace(limits.CASES_PER_CUSTOMER, limit=2))
    with time_machine.travel(datetime.datetime(2026, 11, 20, 8, tzinfo=datetime.UTC), tick=False):
        for _ in range(2):
            assert post(owner_client, point).status_code == 302
        refused = post(owner_client, point)
    assert refused.status_code == 429
    text = page_text(refused.content.decode())
    assert "W ciągu doby złożono już tyle spraw, ile można złożyć jednego dnia." in text
    assert "10 spraw" not in text
    assert Case.objects.count() == 2
