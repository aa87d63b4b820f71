"""A consent names one address: when staff change or remove it, the consent ends with it, in the same step."""

import datetime

import time_machine
from django.contrib.admin.sites import site
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import StaffAction
from customers.models import Customer, EinvoiceConsent
from customers.services import einvoice_consent_record
from tests.conftest import log_in, page_text

INLINE = {"metering_points-TOTAL_FORMS": "0", "metering_points-INITIAL_FORMS": "0"}
NOW = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 26)
OLD = "zarzad@sm-zgoda.example"


def grant(owner, staff_user):
    return einvoice_consent_record(
        customer=owner, action="granted", channel="paper", staff=staff_user, signed_on=datetime.date(2026, 11, 20)
    )


def change_email(client, customer, email, requested_on="25.11.2026"):
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    return client.post(url, {"email": email, "email_requested_on": requested_on, **INLINE})


def test_a_new_address_ends_the_consent_given_for_the_old_one(staff_client, staff_user, owner, run_worker):
    with time_machine.travel(NOW - datetime.timedelta(days=3), tick=False):
        grant(owner, staff_user)
    with time_machine.travel(NOW, tick=False):
        assert change_email(staff_client, owner, "nowy@example.com").status_code == 302
    owner.refresh_from_db()
    assert (owner.email, owner.einvoice_consent) == ("nowy@example.com", False)
    assert owner.einvoice_consent_on(TODAY) is None  # the new address gets no e-invoices
    withdrawal = owner.einvoice_consents.latest_recorded()
    assert (withdrawal.action, withdrawal.channel, withdrawal.email, withdrawal.staff) == (
        "withdrawn", "paper", OLD, staff_user,
    )  # fmt: skip
    assert (withdrawal.signed_on, withdrawal.effective_from) == (datetime.date(2026, 11, 25), TODAY)
    assert list(StaffAction.objects.values_list("action", flat=True).order_by("pk")) == [
        "consent_paper_on", "consent_paper_off", "email_changed",
    ]  # fmt: skip
    konto = log_in(Client(), owner).get(reverse("account")).content.decode()
    assert "wyłączona" in page_text(konto)
    run_worker()
    sent = {m.to[0]: m for m in mail.outbox if "zgoda na e-fakturę włączona" not in m.subject}
    assert sent["nowy@example.com"].subject == "eBOK: zgoda na e-fakturę wycofana"
    assert "Zgoda dotyczyła poprzedniego adresu e-mail" in sent["nowy@example.com"].body
    assert "ponownie wyrazić zgodę" in sent["nowy@example.com"].body
    assert sent[OLD].subject == "eBOK: zmiana adresu e-mail"
    assert "faktury wystawione od 26.11.2026 będą wysyłane pocztą tradycyjną" in " ".join(sent[OLD].body.split())
    assert "na nowy adres, należy ponownie wyrazić zgodę" in sent[OLD].body


def test_removing_the_address_ends_the_consent_and_tells_the_old_address(staff_client, staff_user, owner, run_worker):
    grant(owner, staff_user)
    assert change_email(staff_client, owner, "").status_code == 302
    owner.refresh_from_db()
    assert (owner.email, owner.einvoice_consent) == ("", False)
    assert owner.einvoice_consents.latest_recorded().email == OLD
    run_worker()
    notice = next(m for m in mail.outbox if m.subject == "eBOK: zmiana adresu e-mail")
    assert notice.to == [OLD]
    assert "złożyć wniosek o dostęp do eBOK z nowym adresem" in notice.body


def test_removing_the_address_needs_the_date_of_the_written_request(staff_client, staff_user, owner):
    grant(owner, staff_user)
    response = change_email(staff_client, owner, "", requested_on="01.10.2026")
    assert "Usunięcie adresu e-mail wpisuje się z datą pisemnego wniosku" in response.content.decode()
    owner.refresh_from_db()
    assert owner.einvoice_consent
    assert owner.email == OLD


def test_an_email_change_without_a_consent_writes_no_consent_record(staff_client, owner, run_worker):
    change_email(staff_client, owner, "nowy@example.com")
    assert not EinvoiceConsent.objects.exists()
    run_worker()
    assert [m.subject for m in mail.outbox] == ["eBOK: zmiana adresu e-mail"]
    assert "e-faktur" not in mail.outbox[0].body


def test_a_stale_customer_saved_by_the_email_change_keeps_the_consent_flag(staff_user, owner):
    """Staff opened the form while the consent was on; the customer withdrew it before staff saved."""
    grant(owner, staff_user)
    model_admin = site._registry[Customer]
    request = RequestFactory().post("/")
    request.user = staff_user
    stale = Customer.objects.get(pk=owner.pk)
    einvoice_consent_record(customer=owner, action="withdrawn", channel="paper", staff=staff_user,
                            signed_on=datetime.date(2026, 11, 21))  # fmt: skip
    form = model_admin.get_form(request, stale, change=True)(
        {"email": "nowy@example.com", "email_requested_on": "25.11.2026"}, instance=stale
    )
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    owner.refresh_from_db()
    assert (owner.email, owner.einvoice_consent) == ("nowy@example.com", False)
    assert owner.einvoice_consents.count() == 2  # no second withdrawal: nothing was on
