"""Konto: the e-invoice consent, accepted online after reading its text, withdrawn the same way."""

import datetime

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import EmailDelivery, User
from customers import consent
from customers.models import EinvoiceConsent
from customers.services import einvoice_consent_record
from tests.conftest import log_in, page_text

NOW = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)
URL = "/konto/e-faktura/"


def accept(client, **extra):
    data = {"action": "granted", "text_version": consent.CURRENT_VERSION, "accept": "on"}
    return client.post(URL, {**data, **extra}, REMOTE_ADDR="192.0.2.7")


def withdraw(client):
    return client.post(URL, {"action": "withdrawn", "text_version": consent.CURRENT_VERSION}, REMOTE_ADDR="192.0.2.7")


def test_konto_shows_the_consent_off_with_its_text_and_version(owner_client):
    page = owner_client.get(reverse("account")).content.decode()
    assert "wyłączona" in page_text(page)
    assert "Zgoda na przesyłanie faktur w formie elektronicznej" in page
    assert f"Treść zgody (wersja {consent.CURRENT_VERSION})" in page
    assert f'name="text_version" value="{consent.CURRENT_VERSION}"' in page
    assert 'name="accept"' in page


def test_accepting_records_the_login_ip_address_and_text_version(owner_client, owner):
    with time_machine.travel(NOW, tick=False):
        response = accept(owner_client)
    assert response.status_code == 302
    record = EinvoiceConsent.objects.get()
    assert (record.customer, record.action, record.channel, record.email) == (
        owner, "granted", "online", "zarzad@sm-zgoda.example",
    )  # fmt: skip
    assert (record.user, record.ip, record.text_version) == (
        User.objects.get(customer=owner), "192.0.2.7", consent.CURRENT_VERSION,
    )  # fmt: skip
    assert (record.recorded_at, record.effective_from, record.staff) == (NOW, datetime.date(2026, 11, 26), None)
    owner.refresh_from_db()
    assert owner.einvoice_consent


def test_konto_then_shows_on_to_which_address_since_when(owner_client):
    with time_machine.travel(NOW, tick=False):
        accept(owner_client)
        page = page_text(owner_client.get(reverse("account")).content.decode())
    assert "Zgoda na e-fakturę została włączona." in page
    assert "E-faktura włączona" in page
    assert "Adres e-mail zarzad@sm-zgoda.example" in page
    assert "Obowiązuje dla faktur wystawionych od 26.11.2026" in page
    assert "Wycofanie zgody działa od razu" in page
    assert "Wycofaj zgodę na e-fakturę" in page


def test_without_ticking_acceptance_nothing_is_recorded(owner_client, owner):
    response = accept(owner_client, accept="")
    assert response.status_code == 200
    assert "zaznacz akceptację treści zgody" in response.content.decode()
    assert not EinvoiceConsent.objects.exists()


def test_a_stale_text_version_is_refused(owner_client):
    response = accept(owner_client, text_version="2020-1")
    assert "Treść zgody zmieniła się" in response.content.decode()
    assert not EinvoiceConsent.objects.exists()


def test_withdrawing_takes_effect_today(owner_client, owner):
    with time_machine.travel(NOW, tick=False) as clock:
        accept(owner_client)
        clock.shift(datetime.timedelta(days=3))
        response = withdraw(owner_client)
    assert response.status_code == 302
    record = EinvoiceConsent.objects.first()
    assert (record.action, record.effective_from, record.ip) == ("withdrawn", datetime.date(2026, 11, 29), "192.0.2.7")
    owner.refresh_from_db()
    assert not owner.einvoice_consent
    assert owner.einvoice_consent_on(datetime.date(2026, 11, 29)) is None


def test_each_change_is_confirmed_by_the_worker_to_the_enrolled_address(owner_client, run_worker):
    accept(owner_client)
    withdraw(owner_client)
    run_worker()
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("eBOK: zgoda na e-fakturę włączona", ["zarzad@sm-zgoda.example"]),
        ("eBOK: zgoda na e-fakturę wycofana", ["zarzad@sm-zgoda.example"]),
    ]
    assert "Zgoda na przesyłanie faktur" in mail.outbox[0].body  # the text accepted, for the customer's records
    assert "Ta wiadomość jest tłumaczeniem" not in mail.outbox[0].body
    assert mail.outbox[1].alternatives[0].mimetype == "text/html"


def test_the_history_lists_every_change(owner_client):
    accept(owner_client)
    withdraw(owner_client)
    history = page_text(owner_client.get(reverse("account")).content.decode())
    assert "Historia zgody na e-fakturę" in history
    assert "wycofanie zgody w eBOK" in history
    assert "wyrażenie zgody w eBOK" in history


def test_a_customer_without_an_address_sees_why_and_cannot_accept(client, sibling):
    log_in(client, sibling)
    page = client.get(reverse("account")).content.decode()
    assert "nie można wyrazić, bo w eBOK nie ma adresu e-mail" in page
    assert 'name="accept"' not in page
    response = accept(client)
    assert response.status_code == 302
    assert "nie ma w eBOK adresu e-mail" in page_text(client.get(reverse("account")).content.decode())
    assert not EinvoiceConsent.objects.exists()
    assert not EmailDelivery.objects.exists()


def test_it_checks_ownership(owner_client, owner, sibling, stranger):
    """Another customer's consent (the sub-customer, the same code in the other region) is never shown or changed."""
    for other in (sibling, stranger):
        other.email = f"{other.pk}@example.com"
        other.email_requested_on = datetime.date(2026, 10, 1)
        other.save()
        einvoice_consent_record(
            customer=other, action="granted", channel="online", user=User.objects.for_customer(other), ip="10.0.0.9"
        )
    page = owner_client.get(reverse("account")).content.decode()
    assert "@example.com" not in page
    assert "einvoice-history" not in page
    accept(owner_client, customer=sibling.pk)
    withdraw(owner_client)
    assert list(owner.einvoice_consents.values_list("action", flat=True)) == ["withdrawn", "granted"]
    for other in (sibling, stranger):
        other.refresh_from_db()
        assert other.einvoice_consent
        assert other.einvoice_consents.count() == 1


def test_changes_need_the_csrf_token(owner):
    client = log_in(Client(enforce_csrf_checks=True), owner)
    assert accept(client).status_code == 403
    assert not EinvoiceConsent.objects.exists()


def test_changes_are_posts_only_and_for_customers_only(owner_client, client):
    assert owner_client.get(URL).status_code == 405
    owner_client.post(reverse("logout"))
    assert accept(client).status_code == 302
    assert accept(client).url == reverse("landing")
    assert not EinvoiceConsent.objects.exists()


def test_konto_queries_do_not_grow_with_the_history(owner_client, django_assert_max_num_queries):
    for _ in range(5):
        accept(owner_client)
        withdraw(owner_client)
    with django_assert_max_num_queries(4):  # and the outage notices' setting (outages)
        response = owner_client.get(reverse("account"))
    assert page_text(response.content.decode()).count("w eBOK") >= 10


def test_konto_in_english_shows_the_translated_text_and_says_polish_binds(owner_client, settings):
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = owner_client.get(reverse("account"))
    assert "Consent to receive invoices electronically" in response.content.decode()
    assert response.context["consent_translated"]
