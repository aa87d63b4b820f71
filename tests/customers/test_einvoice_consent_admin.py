"""Staff enter a consent or withdrawal signed on paper; the history is read-only for everyone."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import EmailDelivery, StaffAction
from customers.models import EinvoiceConsent
from tests.conftest import log_in_staff

NOW = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)


def paper(client, customer, action="granted", signed_on="24.11.2026", email="zarzad@sm-zgoda.example"):
    url = reverse("admin:customers_customer_paper_consent", args=[customer.pk])
    return client.post(url, {"action": action, "signed_on": signed_on, "email": email})


def test_a_paper_consent_is_recorded_with_the_staff_member_and_the_signed_date(staff_client, staff_user, owner):
    with time_machine.travel(NOW, tick=False):
        response = paper(staff_client, owner)
    assert response.status_code == 302
    record = EinvoiceConsent.objects.get()
    assert (record.action, record.channel, record.email, record.staff, record.user, record.ip) == (
        "granted", "paper", "zarzad@sm-zgoda.example", staff_user, None, None,
    )  # fmt: skip
    assert (record.signed_on, record.effective_from) == (datetime.date(2026, 11, 24), datetime.date(2026, 11, 26))
    owner.refresh_from_db()
    assert owner.einvoice_consent


def test_a_paper_change_is_in_the_staff_log_in_its_transaction(staff_client, staff_user, owner):
    with time_machine.travel(NOW, tick=False):
        paper(staff_client, owner)
        paper(staff_client, owner, action="withdrawn", signed_on="25.11.2026", email="")
    entries = StaffAction.objects.order_by("at", "pk")
    assert [(e.staff, e.customer, e.action, e.new_value, e.request_date, e.at) for e in entries] == [
        (staff_user, owner, "consent_paper_on", "za***@sm-zgoda.example", datetime.date(2026, 11, 24), NOW),
        (staff_user, owner, "consent_paper_off", "za***@sm-zgoda.example", datetime.date(2026, 11, 25), NOW),
    ]


def test_no_consent_is_recorded_when_its_log_entry_cannot_be_written(staff_client, owner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(StaffAction.objects, "einvoice_consent_on_paper", broken)
    with pytest.raises(RuntimeError):
        paper(staff_client, owner)
    owner.refresh_from_db()
    assert not owner.einvoice_consent
    assert not EinvoiceConsent.objects.exists()
    assert not EmailDelivery.objects.exists()


def test_a_paper_change_is_confirmed_to_the_enrolled_address_by_the_worker(staff_client, owner, run_worker):
    paper(staff_client, owner)
    run_worker()
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("eBOK: zgoda na e-fakturę włączona", ["zarzad@sm-zgoda.example"])
    ]
    assert "dokumentu podpisanego 24.11.2026" in mail.outbox[0].body


def test_the_address_on_the_paper_must_be_the_one_on_file(staff_client, owner):
    response = paper(staff_client, owner, email="inny@example.com")
    assert response.status_code == 200
    assert "musi być adresem wpisanym w eBOK" in response.content.decode()
    assert not EinvoiceConsent.objects.exists()


def test_a_customer_without_an_address_cannot_consent_on_paper_either(staff_client, sibling):
    response = paper(staff_client, sibling, email="budynek-b@example.com")
    assert "musi być adresem wpisanym w eBOK" in response.content.decode()
    assert not EinvoiceConsent.objects.exists()


@pytest.mark.parametrize(("signed_on", "message"), [("27.11.2026", "z przyszłości"), ("", "To pole jest wymagane")])
def test_the_signed_date_is_required_and_not_in_the_future(staff_client, owner, signed_on, message):
    with time_machine.travel(NOW, tick=False):
        response = paper(staff_client, owner, signed_on=signed_on)
    assert message in response.content.decode()
    assert not EinvoiceConsent.objects.exists()


def test_withdrawing_what_is_not_on_says_so(staff_client, owner):
    response = paper(staff_client, owner, action="withdrawn", email="")
    assert "nie jest włączona" in response.content.decode()
    assert not EinvoiceConsent.objects.exists()


def test_staff_without_the_permission_cannot_record(client, django_user_model, owner):
    clerk = django_user_model.objects.create_user("clerk", password="x" * 20, is_staff=True)
    log_in_staff(client, clerk)
    assert paper(client, owner).status_code == 403
    assert not EinvoiceConsent.objects.exists()


def test_the_customer_page_links_to_the_form_and_shows_the_history(staff_client, owner):
    paper(staff_client, owner)
    page = staff_client.get(reverse("admin:customers_customer_change", args=[owner.pk])).content.decode()
    assert reverse("admin:customers_customer_paper_consent", args=[owner.pk]) in page
    assert "historia zgody na e-fakturę" in page.lower()
    assert "na piśmie" in page


def test_the_history_is_read_only_in_the_admin(staff_client, owner):
    paper(staff_client, owner)
    record = EinvoiceConsent.objects.get()
    change = reverse("admin:customers_einvoiceconsent_change", args=[record.pk])
    page = staff_client.get(change).content.decode()
    assert "Zgoda na przesyłanie faktur" in page  # the text of the record's version
    assert 'name="_save"' not in page
    staff_client.post(change, {"email": "kradziez@example.com"})
    assert staff_client.get(reverse("admin:customers_einvoiceconsent_add")).status_code == 403
    delete = reverse("admin:customers_einvoiceconsent_delete", args=[record.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.email == "zarzad@sm-zgoda.example"


def test_the_paper_form_needs_csrf(owner, staff_user):
    from django.test import Client

    client = log_in_staff(Client(enforce_csrf_checks=True), staff_user)
    assert paper(client, owner).status_code == 403
    assert not EinvoiceConsent.objects.exists()
