"""Every admin page staff use opens, searches and filters; billing data is read-only there."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from consumption.models import ConsumptionReading
from invoices.models import Invoice, InvoiceLine, Payment


@pytest.fixture
def billing_rows(owner, point):
    invoice = Invoice.objects.create(
        region=owner.region,
        number="FV/2026/11/0001",
        customer=owner,
        issue_date=datetime.date(2026, 11, 4),
        due_date=datetime.date(2026, 11, 18),
        net=Decimal("100.00"),
        vat=Decimal("23.00"),
        gross=Decimal("123.00"),
    )
    InvoiceLine.objects.create(invoice=invoice, position=1, name="Ciepło", net_value=Decimal("100.00"), vat_rate="23")
    Payment.objects.create(
        region=owner.region, billing_id="1", customer=owner, date="2026-11-10", amount="123.00", invoice=invoice
    )
    ConsumptionReading.objects.create(
        point=point, period_from="2026-10-01", period_to="2026-10-31", consumption_gj=Decimal("12.5")
    )
    return invoice


def test_every_changelist_and_change_page_opens(staff_client, billing_rows):
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        response = staff_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, model
        if model_admin.search_fields:
            assert staff_client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "1234"}).status_code == 200
        obj = model.objects.first()
        if obj is not None:
            response = staff_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert response.status_code == 200, model


def test_customers_are_found_by_code_name_nip_and_email(staff_client, owner, stranger):
    url = reverse("admin:customers_customer_changelist")
    for term in ("001234", "Zgoda", "6320000068", "sm-zgoda"):
        response = staff_client.get(url, {"q": term})
        assert owner.name in response.content.decode(), term
    assert stranger.name not in staff_client.get(url, {"q": "Zgoda"}).content.decode()


def test_staff_cannot_change_or_delete_billing_data(staff_client, billing_rows):
    for model, obj in ((Invoice, billing_rows), (Payment, Payment.objects.get())):
        info = model._meta.app_label, model._meta.model_name
        change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        staff_client.post(change, {"number": "X"})
        assert staff_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
        assert (
            staff_client.post(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]), {"post": "yes"}).status_code
            == 403
        )
    billing_rows.refresh_from_db()
    assert billing_rows.number == "FV/2026/11/0001"


INLINE = {"metering_points-TOTAL_FORMS": "0", "metering_points-INITIAL_FORMS": "0"}


def test_staff_enrol_an_email_with_the_request_date(staff_client, sibling):
    url = reverse("admin:customers_customer_change", args=[sibling.pk])
    form = {"email": "budynek-b@example.com", "email_requested_on": "20.11.2026", **INLINE}
    response = staff_client.post(url, form)
    assert response.status_code == 302, response.content.decode()
    sibling.refresh_from_db()
    assert sibling.email == "budynek-b@example.com"
    assert sibling.email_requested_on == datetime.date(2026, 11, 20)
    assert sibling.name == "SM „Zgoda” — budynek B"


def test_an_email_without_the_request_date_is_refused_with_a_message(staff_client, sibling):
    url = reverse("admin:customers_customer_change", args=[sibling.pk])
    response = staff_client.post(url, {"email": "budynek-b@example.com", "email_requested_on": "", **INLINE})
    assert response.status_code == 200
    assert "pisemnego wniosku" in response.content.decode()
    sibling.refresh_from_db()
    assert sibling.email == ""
