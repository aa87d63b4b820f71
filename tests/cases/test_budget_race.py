"""The attachment budget checked again inside the filing's transaction, under the customer's row lock: two
uploads at once may both pass the form's check, only the one that fits what is left is stored."""

import pytest
from django.urls import reverse

from accounts import limits
from accounts.models import User
from cases import forms, services
from cases.attachments import check_files
from cases.models import Case
from tests.cases.conftest import pdf_bytes, stored_files, upload

ERROR = "Pliki mają razem 276\xa0bajtów, a w ciągu 30 dni można dodać jeszcze 200\xa0bajtów"


@pytest.fixture
def two_files():
    """Two files the form passed while the budget was still free (276 bytes together)."""
    return check_files([upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())], budget_left=10**9)


@pytest.fixture
def budget_used_meanwhile(monkeypatch):
    """The form saw the whole budget; by the time of the transaction another upload left 200 bytes of it."""
    monkeypatch.setattr(forms, "case_budget_left", lambda customer: 10**9)
    monkeypatch.setattr(limits, "CASE_FILES_BUDGET_BYTES", 200)


def test_filing_refuses_files_over_what_is_left_and_stores_nothing(owner, two_files, budget_used_meanwhile):
    with pytest.raises(services.BudgetExceeded) as refused:
        services.case_file(
            customer=owner, user=User.objects.for_customer(owner), kind=Case.Kind.OTHER, subject="Skany",
            body="Dwa skany.", files=two_files,
        )  # fmt: skip
    assert (refused.value.total, refused.value.left) == (276, 200)
    assert not Case.objects.exists()
    assert stored_files() == []


def test_a_message_refuses_files_over_what_is_left_and_stores_nothing(owner, owner_case, two_files, monkeypatch):
    monkeypatch.setattr(limits, "CASE_FILES_BUDGET_BYTES", 200)
    with pytest.raises(services.BudgetExceeded):
        services.case_post_customer_message(
            case=owner_case, user=User.objects.for_customer(owner), body="Skany", files=two_files
        )
    assert owner_case.messages.count() == 1
    assert stored_files() == []


def test_files_within_what_is_left_are_taken(owner, owner_case, two_files, monkeypatch):
    monkeypatch.setattr(limits, "CASE_FILES_BUDGET_BYTES", 276)
    services.case_post_customer_message(
        case=owner_case, user=User.objects.for_customer(owner), body="Skany", files=two_files
    )
    assert len(stored_files()) == 2


def test_the_new_case_form_shows_the_forms_message(owner_client, budget_used_meanwhile):
    files = [upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())]
    response = owner_client.post(
        reverse("cases:new_other"), {"subject_text": "Skany", "body": "Dwa skany.", "attachments": files}
    )
    assert response.status_code == 200
    assert ERROR in response.content.decode()
    assert not Case.objects.exists()
    assert stored_files() == []


def test_the_message_form_shows_the_forms_message(owner_client, owner_case, budget_used_meanwhile):
    files = [upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())]
    response = owner_client.post(
        reverse("cases:message", args=[owner_case.public_id]), {"body": "Dwa skany.", "attachments": files}
    )
    assert response.status_code == 400
    assert ERROR in response.content.decode()
    assert owner_case.messages.count() == 1
    assert stored_files() == []
