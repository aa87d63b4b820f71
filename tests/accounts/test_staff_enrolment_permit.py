"""Who may enrol a second factor: a new account for 72 hours, from the admin or `manage.py createsuperuser`."""

import base64
import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

NOW = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
PERMIT_END = NOW + datetime.timedelta(hours=72)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_createsuperuser_grants_a_permit_and_the_newcomer_enrols_at_the_first_login(db, clock, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin password 1")
    call_command("createsuperuser", interactive=False, username="admin", email="admin@example.com", verbosity=0)
    admin = User.objects.get(username="admin")
    assert admin.otp_enrolment_until == PERMIT_END

    client = Client()
    client.post(reverse("admin:login"), {"username": "admin", "password": "admin password 1"})
    page = client.get(reverse("admin:second_factor")).content.decode()
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert client.post(reverse("admin:second_factor"), {"code": code}).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    admin.refresh_from_db()
    assert admin.otp_enrolment_until is None


def test_an_account_made_in_the_admin_gets_a_permit(clock, staff_client):
    form = {"username": "nowy", "usable_password": "true", "password1": "new staff pass 1", "password2": ""}
    form["password2"] = form["password1"]
    assert staff_client.post(reverse("admin:accounts_user_add"), form).status_code == 302
    assert User.objects.get(username="nowy").otp_enrolment_until == PERMIT_END


def change_form(user, **changes):
    return {
        "username": user.username,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "08:00:00",
        **changes,
    }


def test_making_an_account_staff_in_the_admin_grants_a_permit_unless_it_has_an_app(clock, staff_client):
    clerk = User.objects.create_user("ola", "ola@example.com", "staff password 1")
    url = reverse("admin:accounts_user_change", args=[clerk.pk])
    assert staff_client.post(url, change_form(clerk, is_staff="on")).status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_staff
    assert clerk.otp_enrolment_until == PERMIT_END

    clerk.otp_enrolment_until = None
    clerk.is_staff = False
    clerk.save()
    TOTPDevice.objects.create(user=clerk, name="eBOK", confirmed=True)
    staff_client.post(url, change_form(clerk, is_staff="on"))
    clerk.refresh_from_db()
    assert clerk.is_staff
    assert clerk.otp_enrolment_until is None


def test_the_permit_is_shown_but_cannot_be_set_in_the_admin(clock, staff_client, staff_user):
    url = reverse("admin:accounts_user_change", args=[staff_user.pk])
    page = staff_client.get(url).content.decode()
    assert "może włączyć weryfikację dwuetapową do" in page.lower()
    assert 'name="otp_enrolment_until' not in page
    staff_client.post(
        url, change_form(staff_user, is_staff="on", is_superuser="on", otp_enrolment_until_0="2030-01-01")
    )
    staff_user.refresh_from_db()
    assert staff_user.otp_enrolment_until == PERMIT_END  # granted by createsuperuser, untouched
