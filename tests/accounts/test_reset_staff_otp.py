"""`manage.py reset_staff_otp <username> --by <admin>`: a lost phone means enrolling again, within a permit."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits, staff
from accounts.models import StaffAction, Throttle, User
from accounts.throttle import store


def reset(*args):
    from io import StringIO

    out = StringIO()
    call_command("reset_staff_otp", *args, stdout=out)
    return out.getvalue()


NOW = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def enrolled(staff_user):
    TOTPDevice.objects.get_or_create(user=staff_user, defaults={"name": "eBOK", "confirmed": True})
    StaticDevice.objects.create(user=staff_user, name="kody zapasowe")
    staff_user.otp_enrolment_until = None  # the enrolment used up the permit
    staff_user.save()
    return staff_user


@pytest.fixture
def chief(django_user_model):
    return django_user_model.objects.create_user("szef", "szef@example.com", "chief password 1", is_staff=True)


def test_it_removes_the_app_and_the_recovery_codes(enrolled, chief):
    out = reset("bok", "--by", "szef")
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert not StaticDevice.objects.filter(user=enrolled).exists()
    assert "bok: aplikacje uwierzytelniające usunięte: 1, zestawy kodów zapasowych usunięte: 1" in out


def test_sessions_verified_by_the_removed_app_no_longer_reach_the_admin(staff_client, enrolled, chief):
    assert staff_client.get(reverse("admin:index")).status_code == 200
    reset("bok", "--by", "szef")
    assert staff_client.get(reverse("admin:index")).status_code == 302


def test_the_next_login_enrols_again(client, enrolled, chief):
    reset("bok", "--by", "szef")
    client.post(reverse("admin:login"), {"username": "bok", "password": "staff password 1"})
    assert "Zeskanuj kod QR" in client.get(reverse("admin:second_factor")).content.decode()


def test_it_lifts_the_block_for_wrong_codes(enrolled, chief):
    rule = limits.STAFF_CODE_FAILURES_PER_USER
    for _ in range(rule.limit + 1):
        store().hit(staff.code_key(enrolled), rule.window)
    reset("bok", "--by", "szef")
    assert not Throttle.objects.filter(key=staff.code_key(enrolled)).exists()


def test_a_dry_run_removes_grants_and_logs_nothing(enrolled):
    out = reset("bok", "--dry-run")
    assert TOTPDevice.objects.filter(user=enrolled).count() == 1
    assert StaticDevice.objects.filter(user=enrolled).count() == 1
    assert "do usunięcia: 1" in out
    enrolled.refresh_from_db()
    assert enrolled.otp_enrolment_until is None
    assert not StaffAction.objects.exists()


def test_it_grants_a_permit_to_enrol_for_72_hours(enrolled, chief):
    with time_machine.travel(NOW, tick=False):
        out = reset("bok", "--by", "szef")
    enrolled.refresh_from_db()
    assert enrolled.otp_enrolment_until == NOW + datetime.timedelta(hours=72)
    assert limits.STAFF_ENROLMENT_PERMIT == 72 * 3600
    assert "można włączyć przy logowaniu do 2026-11-29 09:00" in out  # Europe/Warsaw


def test_it_grants_a_permit_to_a_member_who_never_had_an_app(client, chief, django_user_model):
    """A staff account older than the permits: refused at login until an administrator runs the command."""
    django_user_model.objects.create_user("ola", password="staff password 1", is_staff=True)
    log_in = {"username": "ola", "password": "staff password 1"}
    assert client.post(reverse("admin:login"), log_in).status_code == 403
    out = reset("ola", "--by", "szef")
    assert "usunięte: 0" in out
    assert client.post(reverse("admin:login"), log_in)["Location"] == reverse("admin:second_factor")
    assert "Zeskanuj kod QR" in client.get(reverse("admin:second_factor")).content.decode()


def test_it_is_logged_with_who_ran_it_and_whose_devices_it_removed(enrolled, chief):
    with time_machine.travel(NOW, tick=False):
        reset("bok", "--by", "szef")
    entry = StaffAction.objects.get()
    assert (entry.staff, entry.member, entry.customer, entry.action, entry.at) == (
        chief,
        enrolled,
        None,
        "otp_reset",
        NOW,
    )


@pytest.mark.parametrize("by", [[], ["--by", "nobody"]])
def test_a_run_without_a_known_administrator_changes_nothing(enrolled, by):
    with pytest.raises(CommandError):
        reset("bok", *by)
    assert TOTPDevice.objects.filter(user=enrolled).exists()
    enrolled.refresh_from_db()
    assert enrolled.otp_enrolment_until is None
    assert not StaffAction.objects.exists()


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
