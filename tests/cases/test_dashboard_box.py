"""Pulpit's box of Sprawy: the customer's open cases, one with an answer to read first."""

import datetime

import time_machine
from django.urls import reverse

from cases import services
from tests.cases.conftest import file_case
from tests.conftest import log_in, page_text

URL = reverse("dashboard")


def box(client):
    text = page_text(client.get(URL).content.decode())
    return text[text.index("Sprawy Nie ma") if "Sprawy Nie ma" in text else text.rindex("Sprawy JAW") :]


def test_without_open_cases_it_says_so(owner_client, owner):
    case = file_case(owner)
    services.case_close(case=case, user=case.messages.get().user)
    assert box(owner_client).startswith("Sprawy Nie ma otwartych spraw. Wszystkie sprawy Nowa sprawa")


def test_an_answered_case_comes_first(owner_client, owner, staff_user):
    with time_machine.travel(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)):
        answered = file_case(owner)
        services.case_answer(case=answered, user=staff_user, body="Odpowiedź")
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):
        file_case(owner, kind="awaria")
    assert box(owner_client).startswith(
        "Sprawy JAW/2026/00001 — Inny wniosek: jest odpowiedź JAW/2026/00002 — Awaria / brak ogrzewania: nowa"
    )


def test_it_checks_ownership(owner_client, foreign_cases):
    body = owner_client.get(URL).content.decode()
    for foreign in foreign_cases:
        assert str(foreign.public_id) not in body
    assert "Nie ma otwartych spraw." in body


def test_it_shows_five_and_points_to_the_list(client, owner, django_assert_max_num_queries):
    for _ in range(7):
        file_case(owner)
    log_in(client, owner)
    with django_assert_max_num_queries(8):  # the whole Pulpit: its balance, this box, the outages on its points
        body = client.get(URL).content.decode()
    assert body.count('<span class="state state--case-new">') == 5
    assert "Pozostałe otwarte sprawy są na liście spraw." in body
