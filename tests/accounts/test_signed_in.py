"""Logged in, the portal knows it: the way in leads back in, and a message survives its redirect."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.accounts.conftest import request_password
from tests.conftest import log_in, without_csrf_token

WAY_IN = [
    reverse("landing"),
    reverse("login", kwargs={"region": "jaworzno"}),
    reverse("login", kwargs={"region": "bedzin-czeladz-sosnowiec"}),
    reverse("password_request", kwargs={"region": "jaworzno"}),
]


@pytest.mark.parametrize("url", WAY_IN)
def test_it_offers_the_way_back_and_the_logout_instead_of_the_way_in(owner_client, url):
    body = owner_client.get(url).content.decode()
    assert "Zalogowano jako odbiorca 001234-0000" in body
    assert f'href="{reverse("dashboard")}"' in body
    assert f'action="{reverse("logout")}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'name="password"' not in body
    assert 'name="odbiorca"' not in body
    assert f'href="{reverse("login", kwargs={"region": "jaworzno"})}"' not in body


@pytest.mark.parametrize("url", WAY_IN)
def test_it_shows_the_way_in_to_anyone_not_logged_in(client, db, url):
    body = client.get(url).content.decode()
    assert "Zalogowano jako" not in body
    assert f'action="{reverse("logout")}"' not in body


def test_a_staff_login_is_not_taken_for_a_customer(staff_client):
    body = staff_client.get(reverse("login", kwargs={"region": "jaworzno"})).content.decode()
    assert 'name="password"' in body
    assert "Zalogowano jako" not in body


def test_a_post_to_the_way_in_changes_nothing_for_a_logged_in_customer(owner_client, owner):
    response = request_password(owner_client)
    assert "Zalogowano jako odbiorca 001234-0000" in response.content.decode()
    assert not DBTaskResult.objects.exists()
    owner_client.post(reverse("login", kwargs={"region": "jaworzno"}), {"odbiorca": "9999", "password": "x"})
    assert owner_client.get(reverse("dashboard")).status_code == 200


def test_the_logout_button_needs_the_csrf_token(owner):
    client = log_in(Client(enforce_csrf_checks=True), owner)
    assert client.post(reverse("logout")).status_code == 403
    page = client.get(reverse("landing")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "Zalogowano jako" not in client.get(reverse("landing")).content.decode()


def test_a_message_set_before_a_redirect_shows_on_the_page_it_leads_to(owner_client):
    from accounts.decorators import MUST_SET_PASSWORD

    session = owner_client.session
    session[MUST_SET_PASSWORD] = True
    session.save()
    password = "lato nad zalewem Sosina"
    response = owner_client.post(
        reverse("set_password"), {"new_password1": password, "new_password2": password}, follow=True
    )
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert "Hasło zostało ustawione." in response.content.decode()
    assert "Hasło zostało ustawione." not in owner_client.get(reverse("dashboard")).content.decode()  # once


def test_the_password_change_message_shows_once_too(owner_client, owner):
    from accounts.models import User

    user = User.objects.for_customer(owner)
    user.set_password("stare hasło do eBOK")
    user.save()
    owner_client.force_login(user)
    new = "nowe hasło do eBOK 2026"
    response = owner_client.post(
        reverse("account"),
        {"old_password": "stare hasło do eBOK", "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.content.decode().count("Hasło zostało zmienione.") == 1


def test_a_password_request_redirects_so_a_refresh_does_not_ask_again(client, owner):
    response = request_password(client)
    sent = reverse("password_request_sent", kwargs={"region": "jaworzno"})
    assert response.status_code == 302
    assert response["Location"] == sent
    for _ in range(2):  # the page, then a refresh
        body = client.get(sent).content.decode()
        assert "Jeśli ten kod jest zarejestrowany w eBOK, hasło zostało wysłane" in body
    assert DBTaskResult.objects.filter(task_path="accounts.tasks.password_request").count() == 1


def test_the_sent_page_is_the_same_for_any_code_and_for_none(client, owner):
    sent = reverse("password_request_sent", kwargs={"region": "jaworzno"})
    nobody_asked = without_csrf_token(client.get(sent).content.decode())
    assert (
        request_password(client, odbiorca="1234")["Location"] == request_password(client, odbiorca="7777")["Location"]
    )
    assert without_csrf_token(client.get(sent).content.decode()) == nobody_asked
