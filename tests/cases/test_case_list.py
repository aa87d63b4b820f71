"""Sprawy: the customer's own cases, open ones first, each with number, kind, status, dates and last answer."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case
from tests.cases.conftest import file_case
from tests.conftest import log_in, page_text

URL = reverse("cases:list")


def test_it_requires_a_logged_in_customer(client, db):
    assert client.get(URL)["Location"] == reverse("landing")


def test_it_checks_ownership(owner_client, owner, foreign_cases):
    mine = file_case(owner)
    body = owner_client.get(URL).content.decode()
    assert mine.number in body
    for foreign in foreign_cases:
        assert str(foreign.public_id) not in body
    assert "JAW/2026/00001" not in body  # the sibling's, filed first


def test_it_shows_number_kind_status_dates_and_the_last_answer(owner_client, owner, staff_user):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC), tick=False):
        case = file_case(owner, kind=Case.Kind.COMPLAINT, subject="Reklamacja faktury FV/2026/10/0001")
    with time_machine.travel(datetime.datetime(2026, 11, 24, 13, 5, tzinfo=datetime.UTC), tick=False):
        services.case_answer(case=case, user=staff_user, body="Korekta zostanie wystawiona.")
    text = page_text(owner_client.get(URL).content.decode())
    assert (
        "JAW/2026/00001 Reklamacja faktury Reklamacja faktury FV/2026/10/0001 udzielono odpowiedzi "
        "20.11.2026 10:30 04.12.2026 24.11.2026 14:05" in text
    )
    assert "Korekta" not in text


def test_open_cases_come_first_then_the_newest(owner_client, owner):
    with time_machine.travel(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)):
        oldest_open = file_case(owner)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):
        closed = file_case(owner)
        services.case_close(case=closed, user=closed.messages.get().user)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 9, tzinfo=datetime.UTC)):
        newest_open = file_case(owner)
    body = owner_client.get(URL).content.decode()
    positions = [body.index(case.number) for case in (newest_open, oldest_open, closed)]
    assert positions == sorted(positions)


def test_it_is_paginated(owner_client, owner):
    for _ in range(21):
        file_case(owner)
    first = owner_client.get(URL).content.decode()
    second = owner_client.get(URL, {"strona": 2}).content.decode()
    assert "21 spraw" in first
    assert "Strona 1 z 2" in first
    assert "JAW/2026/00021" in first
    assert "JAW/2026/00001" not in first
    assert "JAW/2026/00001" in second


def test_without_cases_it_says_so_and_offers_a_new_one(owner_client):
    body = owner_client.get(URL).content.decode()
    assert "Nie ma jeszcze żadnej sprawy." in body
    assert reverse("cases:new") in body


def test_the_menu_leads_here(owner_client):
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert f'<a href="{URL}">Sprawy</a>' in body
    assert f'<a href="{URL}" aria-current="page">Sprawy</a>' in owner_client.get(URL).content.decode()


@pytest.mark.parametrize("count", [2, 25])
def test_the_number_of_queries_does_not_grow(client, owner, staff_user, count, django_assert_max_num_queries):
    for n in range(count):
        case = file_case(owner)
        if n % 2:
            services.case_answer(case=case, user=staff_user, body="Odpowiedź")
    log_in(client, owner)
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200
