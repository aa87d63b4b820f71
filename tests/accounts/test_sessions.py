"""Sessions: database-backed, idle and absolute timeouts, dead after logout and password change."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import PASSWORD, login

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
NEW = "zimowy poranek nad Przemszą"


def test_sessions_live_in_the_database(client, owner_user):
    login(client)
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_an_old_session_cookie_is_dead_after_logout(client, owner_user):
    login(client)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies["sessionid"] = cookie
    assert thief.get(reverse("dashboard")).status_code == 302


def test_changing_the_password_ends_the_other_sessions_and_sends_a_notice(run_worker, client, owner_user, owner):
    phone = Client()
    login(phone)
    login(client)
    response = client.post(reverse("account"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200  # this session goes on
    assert phone.get(reverse("dashboard")).status_code == 302  # the other one is over
    run_worker()
    assert mail.outbox[-1].to == [owner.email]
    client.post(reverse("logout"))
    assert login(client, password=PASSWORD).status_code == 200
    assert login(client, password=NEW).status_code == 302


def test_changing_the_password_needs_the_current_one(client, owner_user):
    login(client)
    response = client.post(
        reverse("account"), {"old_password": "wrong one", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    client.post(reverse("logout"))
    assert login(client).status_code == 302


def test_the_session_ends_after_30_idle_minutes(client, owner_user):
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("dashboard")).status_code == 200  # activity keeps it alive
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("dashboard"))
        assert response["Location"] == reverse("login", kwargs={"region": "jaworzno"}) + "?sesja=wygasla"
        assert "Sesja wygasła" in client.get(response["Location"]).content.decode()
        assert client.get(reverse("dashboard")).status_code == 302


def test_the_session_ends_12_hours_after_login_however_active(client, owner_user):
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        for _ in range(12 * 3):
            clock.shift(datetime.timedelta(minutes=20))
            response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        clock.shift(datetime.timedelta(minutes=1))
        assert client.get(reverse("dashboard")).status_code == 302


def test_production_cookies_are_secure_httponly_and_lax(client, owner_user):
    # The test settings are production's (DEBUG off): nothing is switched on here.
    response = login(client)
    cookie = response.cookies["sessionid"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("change", ["customer inactive", "login inactive", "login deleted"])
def test_a_session_ends_when_its_customer_or_login_is_switched_off(client, owner_user, owner, change):
    login(client)
    assert client.get(reverse("dashboard")).status_code == 200
    if change == "customer inactive":
        owner.active = False
        owner.save()
    elif change == "login inactive":
        owner_user.is_active = False
        owner_user.save()
    else:
        owner_user.delete()
    assert client.get(reverse("dashboard")).status_code == 302
