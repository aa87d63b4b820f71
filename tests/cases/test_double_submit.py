"""A new-case form sent twice (a double click on "Złóż sprawę", a reload) files one case: the form carries a
random token, and the same token again within 10 minutes leads to the case already filed."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cases import services
from cases.models import Case
from tests.cases.conftest import pdf_bytes, stored_files, upload
from tests.conftest import log_in

URL = reverse("cases:new_other")
START = datetime.datetime(2026, 11, 20, 8, tzinfo=datetime.UTC)


def token_of(response):
    return re.search(r'<input type="hidden" name="form_token" value="([0-9a-f-]{36})">', response.content.decode())[1]


def post(client, token, **data):
    return client.post(
        URL, {"subject_text": "Duplikat umowy", "body": "Proszę o duplikat.", "form_token": token, **data}
    )


def test_the_form_carries_a_new_random_token_each_time(owner_client):
    assert token_of(owner_client.get(URL)) != token_of(owner_client.get(URL))


@pytest.mark.parametrize("name", ["cases:new_outage", "cases:new_power", "cases:new_contact", "cases:new_other"])
def test_every_kind_of_form_carries_it(owner_client, point, name):
    assert token_of(owner_client.get(reverse(name)))


def test_the_same_form_sent_twice_files_one_case_and_leads_to_it(owner_client):
    token = token_of(owner_client.get(URL))
    first = post(owner_client, token, attachments=[upload("umowa.pdf", pdf_bytes())])
    second = post(owner_client, token, attachments=[upload("umowa.pdf", pdf_bytes())])
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == reverse("cases:detail", args=[case.public_id])
    assert len(stored_files()) == 1
    assert "Przyjęto sprawę JAW/2026/00001." in owner_client.get(second["Location"]).content.decode()


def test_a_form_sent_back_with_errors_keeps_its_token(owner_client):
    token = token_of(owner_client.get(URL))
    assert token_of(post(owner_client, token, body="")) == token
    post(owner_client, token)
    post(owner_client, token)
    assert Case.objects.count() == 1


def test_two_forms_file_two_cases(owner_client):
    post(owner_client, token_of(owner_client.get(URL)))
    post(owner_client, token_of(owner_client.get(URL)))
    assert Case.objects.count() == 2


def test_the_same_form_after_10_minutes_files_a_new_case(owner_client):
    token = token_of(owner_client.get(URL))
    with time_machine.travel(START, tick=False) as clock:
        post(owner_client, token)
        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        post(owner_client, token)
    assert Case.objects.count() == 2


def test_another_customers_token_is_no_shortcut_to_its_case(owner_client, sibling):
    token = token_of(owner_client.get(URL))
    post(owner_client, token)
    response = post(log_in(Client(), sibling), token)
    case = Case.objects.get(customer=sibling)
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])


def test_a_form_without_a_token_is_filed(owner_client):
    owner_client.post(URL, {"subject_text": "Duplikat umowy", "body": "Proszę o duplikat."})
    assert Case.objects.count() == 1


def test_two_filings_at_once_with_one_token_make_one_case(owner):
    """The second waits for the first's lock of the customer's row, then finds its case: nothing is stored."""
    token, user = uuid.uuid4(), User.objects.for_customer(owner)
    first = services.case_file(
        customer=owner, user=user, kind=Case.Kind.OTHER, subject="Duplikat", body="Proszę.", form_token=token
    )
    with pytest.raises(services.AlreadyFiled) as again:
        services.case_file(
            customer=owner, user=user, kind=Case.Kind.OTHER, subject="Duplikat", body="Proszę.", form_token=token
        )
    assert again.value.case == first
    assert Case.objects.count() == 1
