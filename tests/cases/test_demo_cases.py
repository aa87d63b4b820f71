"""The demo login's cases (make run): an answered complaint, an open power request, a closed outage."""

import datetime

from django.core import mail
from django.urls import reverse

from cases.models import Case
from customers.demo.cases import add_demo_cases
from tests.conftest import page_text
from tests.invoices.conftest import make_invoice


def test_the_demo_customer_has_an_answered_complaint_an_open_request_and_a_closed_outage(owner, point, owner_client):
    make_invoice(owner, issue_date=datetime.date.today() - datetime.timedelta(days=40))
    add_demo_cases(owner)
    cases = {case.kind: case for case in Case.objects.filter(customer=owner)}
    assert {kind: case.status for kind, case in cases.items()} == {
        "awaria": "closed",
        "reklamacja": "answered",
        "moc": "new",
    }
    assert [case.number for case in sorted(cases.values(), key=lambda case: case.filed_at)] == sorted(
        case.number for case in cases.values()
    )
    assert mail.outbox == []
    complaint = page_text(
        owner_client.get(reverse("cases:detail", args=[cases["reklamacja"].public_id])).content.decode()
    )
    assert "Biuro Obsługi Klienta" in complaint
    assert "sprawdziliśmy odczyt" in complaint
    listing = owner_client.get(reverse("cases:list")).content.decode()
    assert all(case.number in listing for case in cases.values())
