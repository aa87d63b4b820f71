"""Konto: switching the outage e-mails off and on, recorded like the e-invoice consent (who, when, IP)."""

from django.test import Client

from outages.models import NoticeChoice
from tests.conftest import log_in, page_text

URL = "/konto/powiadomienia-o-awariach/"


def account_text(client):
    return page_text(client.get("/konto/").content.decode())


def test_konto_shows_the_notices_on_by_default(owner_client):
    assert "Powiadomienia e-mail o awariach i wyłączeniach włączone" in account_text(owner_client)


def test_switching_off_is_recorded_with_login_and_ip_and_shown(owner_client, owner):
    response = owner_client.post(URL, {"enabled": "0"}, REMOTE_ADDR="203.0.113.7")
    assert response["Location"] == "/konto/"
    record = NoticeChoice.objects.get()
    assert (record.customer, record.enabled, record.user.customer, record.ip) == (owner, False, owner, "203.0.113.7")
    text = account_text(owner_client)
    assert "Powiadomienia o awariach i wyłączeniach zostały wyłączone." in text
    assert "Powiadomienia e-mail o awariach i wyłączeniach wyłączone" in text
    assert "Historia ustawień powiadomień o awariach" in text


def test_switching_back_on_adds_a_record(owner_client):
    owner_client.post(URL, {"enabled": "0"})
    owner_client.post(URL, {"enabled": "1"})
    assert list(NoticeChoice.objects.order_by("pk").values_list("enabled", flat=True)) == [False, True]


def test_a_choice_that_changes_nothing_is_refused_with_a_message(owner_client):
    owner_client.post(URL, {"enabled": "1"})
    assert NoticeChoice.objects.count() == 0
    assert "Powiadomienia o awariach są już włączone." in account_text(owner_client)


def test_bad_input_records_nothing(owner_client):
    owner_client.post(URL, {"enabled": "tak"})
    assert NoticeChoice.objects.count() == 0
    assert "Nie wybrano, czy powiadomienia mają być włączone." in account_text(owner_client)


def test_it_is_a_post_with_csrf(owner, db):
    client = log_in(Client(enforce_csrf_checks=True), owner)
    assert client.get(URL).status_code == 405
    assert client.post(URL, {"enabled": "0"}).status_code == 403
    assert NoticeChoice.objects.count() == 0


def test_it_checks_ownership_only_the_logged_in_customers_choice_changes(client, owner, sibling, stranger):
    log_in(client, sibling)
    client.post(URL, {"enabled": "0", "customer": owner.pk})
    assert list(NoticeChoice.objects.values_list("customer", flat=True)) == [sibling.pk]


def test_anonymous_visitors_are_sent_to_the_landing_page(client, db):
    assert client.post(URL, {"enabled": "0"})["Location"] == "/"
