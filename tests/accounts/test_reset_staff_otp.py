"""`manage.py reset_staff_otp <username>`: a lost phone means enrolling again at the next login."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits, staff
from accounts.models import Throttle, User
from accounts.throttle import store


def reset(*args):
    from io import StringIO

    out = StringIO()
    call_command("reset_staff_otp", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def enrolled(staff_user):
    TOTPDevice.objects.get_or_create(user=staff_user, defaults={"name": "eBOK", "confirmed": True})
    StaticDevice.objects.create(user=staff_user, name="kody zapasowe")
    return staff_user


def test_it_removes_the_app_and_the_recovery_codes(enrolled):
    out = reset("bok")
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert not StaticDevice.objects.filter(user=enrolled).exists()
    assert "bok: aplikacje uwierzytelniające usunięte: 1, zestawy kodów zapasowych usunięte: 1" in out


def test_sessions_verified_by_the_removed_app_no_longer_reach_the_admin(staff_client, enrolled):
    assert staff_client.get(reverse("admin:index")).status_code == 200
    reset("bok")
    assert staff_client.get(reverse("admin:index")).status_code == 302


def test_the_next_login_enrols_again(client, enrolled):
    reset("bok")
    client.post(reverse("admin:login"), {"username": "bok", "password": "staff password 1"})
    assert "Zeskanuj kod QR" in client.get(reverse("admin:second_factor")).content.decode()


def test_it_lifts_the_block_for_wrong_codes(enrolled):
    rule = limits.STAFF_CODE_FAILURES_PER_USER
    for _ in range(rule.limit + 1):
        store().hit(staff.code_key(enrolled), rule.window)
    reset("bok")
    assert not Throttle.objects.filter(key=staff.code_key(enrolled)).exists()


def test_a_dry_run_removes_nothing(enrolled):
    out = reset("bok", "--dry-run")
    assert TOTPDevice.objects.filter(user=enrolled).count() == 1
    assert StaticDevice.objects.filter(user=enrolled).count() == 1
    assert "do usunięcia: 1" in out


@pytest.mark.parametrize("username", ["nobody", "jaworzno.001234-0000"])
def test_an_unknown_username_or_a_customers_login_is_a_clear_error(enrolled, owner, username):
    User.objects.for_customer(owner)
    with pytest.raises(CommandError, match=f"Nie ma pracownika o nazwie użytkownika „{username}”"):
        reset(username)
    assert TOTPDevice.objects.filter(user=enrolled).exists()


def test_it_reports_in_the_active_language(enrolled):
    with translation.override("en"):
        assert "bok: authenticator apps to remove: 1, sets of recovery codes to remove: 1" in reset("bok", "--dry-run")
        with pytest.raises(CommandError, match="There is no staff member with the username “nobody”"):
            reset("nobody")
