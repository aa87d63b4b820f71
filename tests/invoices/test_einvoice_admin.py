"""Staff see on each invoice whether, when and to which address its e-invoice went, and resend with a reason."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from invoices import einvoice
from invoices.models import EinvoiceDelivery, EinvoiceResend
from tests.conftest import log_in_staff
from tests.invoices.conftest import make_invoice
from tests.invoices.einvoices import consent, run_mail_tasks

State = EinvoiceDelivery.State


@pytest.fixture
def delivery(owner, staff_user):
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    queued = einvoice.queue_invoice(make_invoice(owner))
    einvoice.enqueue([queued.pk])
    return queued


def resend_url(delivery):
    return reverse("admin:invoices_einvoicedelivery_resend", args=[delivery.pk])


def test_the_invoice_page_shows_when_and_to_which_address_it_was_sent(staff_client, delivery):
    run_mail_tasks()
    delivery.refresh_from_db()
    page = staff_client.get(reverse("admin:invoices_invoice_change", args=[delivery.invoice.pk])).content.decode()
    assert "wysłano " in page
    assert "na adres zarzad@sm-zgoda.example" in page
    assert reverse("admin:invoices_einvoicedelivery_change", args=[delivery.pk]) in page


def test_the_invoice_list_shows_the_state_and_an_invoice_without_consent(staff_client, delivery, owner):
    other = make_invoice(owner, "FV/2026/09/0001", issue_date=datetime.date(2026, 9, 30))
    page = staff_client.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    assert "w kolejce" in page
    detail = staff_client.get(reverse("admin:invoices_invoice_change", args=[other.pk])).content.decode()
    assert "nie wysyłano (brak zgody na e-fakturę w dniu wystawienia)" in detail


def test_a_skipped_delivery_shows_its_reason_and_no_resend(staff_client, delivery):
    EinvoiceDelivery.objects.filter(pk=delivery.pk).update(state=State.SKIPPED, reason="adres zmieniono")
    page = staff_client.get(reverse("admin:invoices_invoice_change", args=[delivery.invoice.pk])).content.decode()
    assert "pominięto: adres zmieniono" in page
    change = staff_client.get(reverse("admin:invoices_einvoicedelivery_change", args=[delivery.pk])).content.decode()
    assert resend_url(delivery) not in change


def test_staff_resend_with_a_reason_is_recorded_and_sent(staff_client, staff_user, delivery):
    run_mail_tasks()
    change = staff_client.get(reverse("admin:invoices_einvoicedelivery_change", args=[delivery.pk])).content.decode()
    assert resend_url(delivery) in change
    response = staff_client.post(resend_url(delivery), {"reason": "Odbiorca dzwonił: nie dostał"})
    assert response.status_code == 302
    resend = EinvoiceResend.objects.get()
    assert (resend.staff, resend.reason, resend.state_before) == (staff_user, "Odbiorca dzwonił: nie dostał", "sent")
    run_mail_tasks()
    assert len(mail.outbox) == 2
    change = staff_client.get(reverse("admin:invoices_einvoicedelivery_change", args=[delivery.pk])).content.decode()
    assert "Odbiorca dzwonił: nie dostał" in change


def test_a_resend_without_a_reason_is_refused_and_changes_nothing(staff_client, delivery):
    run_mail_tasks()
    response = staff_client.post(resend_url(delivery), {"reason": "  "})
    assert response.status_code == 200
    assert "To pole jest wymagane" in response.content.decode()
    assert not EinvoiceResend.objects.exists()
    delivery.refresh_from_db()
    assert delivery.state == State.SENT


def test_a_resend_needs_csrf_and_the_permission(delivery, django_user_model):
    run_mail_tasks()
    clerk = django_user_model.objects.create_user("clerk", password="x" * 20, is_staff=True)
    strict = log_in_staff(Client(enforce_csrf_checks=True), clerk)
    assert strict.post(resend_url(delivery), {"reason": "x"}).status_code == 403  # no CSRF token
    assert log_in_staff(Client(), clerk).post(resend_url(delivery), {"reason": "x"}).status_code == 403
    assert not EinvoiceResend.objects.exists()
