"""Response headers and cookie attributes, read from real responses."""

import datetime
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import PASSWORD, login

DENIED = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture"]


@pytest.mark.parametrize("url", ["/", "/jaworzno/logowanie/", "/admin/login/", "/nie-ma-takiej-strony/"])
def test_every_page_switches_off_browser_features_it_never_uses(client, db, url):
    policy = client.get(url)["Permissions-Policy"]
    features = dict(part.split("=") for part in policy.split(", "))
    for feature in DENIED:
        assert features[feature] == "()", feature


def test_files_and_customer_pages_carry_the_policy_too(owner_client):
    assert "camera=()" in owner_client.get(reverse("dashboard"))["Permissions-Policy"]


def test_the_session_cookie_ends_with_the_browser(client, owner_user):
    cookie = login(client).cookies["sessionid"]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


def test_the_server_still_ends_a_session_12_hours_after_login(client, owner_user):
    start = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        login(client)
        stored = Session.objects.get(session_key=client.session.session_key)
        assert stored.expire_date == start + datetime.timedelta(hours=12)
        for _ in range(12 * 3):
            clock.shift(datetime.timedelta(minutes=20))
            client.get(reverse("dashboard"))
        clock.shift(datetime.timedelta(minutes=1))
        assert client.get(reverse("dashboard")).status_code == 302


def test_the_staff_session_cookie_ends_with_the_browser_too(client, staff_user):
    response = client.post(reverse("admin:login"), {"username": "bok", "password": "staff password 1"})
    assert response.cookies["sessionid"]["expires"] == ""


def test_the_csrf_cookie_is_out_of_reach_of_scripts(client, db):
    cookie = client.get("/jaworzno/logowanie/").cookies["csrftoken"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"]


def test_forms_still_work_with_an_httponly_csrf_cookie(owner_user):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/jaworzno/logowanie/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"odbiorca": "1234", "pododbiorca": "", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert client.post("/jaworzno/logowanie/", form).status_code == 302
