"""Closing a case: a POST by its customer while it is open, recorded with who and when."""

import datetime

import time_machine
from django.urls import reverse

from cases.models import Case
from tests.cases.conftest import file_case
from tests.conftest import page_text


def url(case):
    return reverse("cases:close", args=[case.public_id])


def test_the_customer_closes_its_open_case(owner_client, owner):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC), tick=False):
        owner_case = file_case(owner)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 14, tzinfo=datetime.UTC), tick=False):
        response = owner_client.post(url(owner_case))
    assert response["Location"] == reverse("cases:detail", args=[owner_case.public_id])
    owner_case.refresh_from_db()
    assert owner_case.status == Case.Status.CLOSED
    change = owner_case.status_changes.last()
    assert (change.old_status, change.new_status, change.user.customer) == ("new", "closed", owner_case.customer)
    assert change.at == datetime.datetime(2026, 11, 25, 14, tzinfo=datetime.UTC)
    text = page_text(owner_client.get(response["Location"]).content.decode())
    assert "Sprawę zamknięto. Przez 30 dni można ją wznowić, wysyłając w niej wiadomość." in text
    assert "Stan zamknięta (25.11.2026 15:00)" in text


def test_closing_a_closed_case_changes_nothing(owner_client, owner_case):
    owner_client.post(url(owner_case))
    owner_client.post(url(owner_case))
    assert owner_case.status_changes.count() == 2


def test_it_checks_ownership(owner_client, foreign_cases):
    for foreign in foreign_cases:
        assert owner_client.post(url(foreign)).status_code == 404
        foreign.refresh_from_db()
        assert foreign.status == Case.Status.NEW


def test_it_is_a_post_with_the_csrf_token(csrf_client, owner_case):
    assert csrf_client.get(url(owner_case)).status_code == 405
    assert csrf_client.post(url(owner_case)).status_code == 403
    owner_case.refresh_from_db()
    assert owner_case.status == Case.Status.NEW
