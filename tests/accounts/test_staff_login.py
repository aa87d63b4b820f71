"""The admin's door: password, then a TOTP code (or a recovery code), enrolment by QR code, limits on both."""

import base64
import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits, staff, throttle
from accounts.models import Throttle, enrolment_permit_end

PASSWORD = "staff password 1"
START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
LOGIN = "/admin/login/"
SECOND_FACTOR = "/admin/logowanie/kod/"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def member(django_user_model):
    """A staff member whose account was just made: no authenticator app yet, a permit to enrol one."""
    return django_user_model.objects.create_user(
        "kasia", "kasia@example.com", PASSWORD, is_staff=True, otp_enrolment_until=enrolment_permit_end()
    )


@pytest.fixture
def recovery_codes(member, clock):
    """The member enrolled an authenticator app a minute ago; its recovery codes."""
    key = "3132333435363738393031323334353637383930"
    _device, codes = staff.enrol(member, key, code_of(TOTPDevice(key=key)))
    clock.shift(datetime.timedelta(minutes=1))
    return codes


def code_of(device):
    return f"{totp(device.bin_key):06d}"


def password_step(client, username="kasia", password=PASSWORD, ip="10.0.0.1", **data):
    return client.post(LOGIN, {"username": username, "password": password, **data}, REMOTE_ADDR=ip)


def code_step(client, code):
    return client.post(SECOND_FACTOR, {"code": code})


def reaches_the_admin(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_a_password_alone_does_not_reach_the_admin(client, member, recovery_codes):
    response = password_step(client)
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR
    assert "_auth_user_id" not in client.session
    assert not reaches_the_admin(client)
    assert "6-cyfrowy kod" in client.get(SECOND_FACTOR).content.decode()


def test_the_password_and_a_code_from_the_app_reach_the_admin(client, member, recovery_codes):
    password_step(client)
    response = code_step(client, code_of(TOTPDevice.objects.get()))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert reaches_the_admin(client)


def test_a_code_from_the_app_cannot_be_used_twice(client, member, recovery_codes):
    code = code_of(TOTPDevice.objects.get())
    password_step(client)
    code_step(client, code)
    client.post(reverse("admin:logout"))
    password_step(client)
    response = code_step(client, code)
    assert response.status_code == 200
    assert "już został użyty" in response.content.decode()
    assert not reaches_the_admin(client)


def test_a_wrong_password_leads_nowhere(client, member, recovery_codes):
    response = password_step(client, password="not the password")
    assert response.status_code == 200
    assert "Wprowadź poprawne dane" in response.content.decode()
    assert client.get(SECOND_FACTOR)["Location"] == LOGIN


def test_the_second_step_without_the_first_leads_back_to_the_password(client, member, recovery_codes):
    response = code_step(client, code_of(TOTPDevice.objects.get()))
    assert response["Location"] == LOGIN
    assert not reaches_the_admin(client)


def test_a_staff_member_logged_in_without_a_second_factor_is_kept_out(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:customers_customer_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_half_way_login_expires_after_ten_minutes(client, member, recovery_codes, clock):
    password_step(client)
    clock.shift(datetime.timedelta(seconds=staff.PENDING_SECONDS + 1))
    response = code_step(client, code_of(TOTPDevice.objects.get()))
    assert response["Location"] == LOGIN
    assert not reaches_the_admin(client)


def test_the_password_step_gives_a_new_session_key(client, member, recovery_codes):
    client.get(LOGIN)
    planted = client.session.session_key
    password_step(client)
    assert client.session.session_key != planted


def test_a_changed_password_voids_the_half_way_login(client, member, recovery_codes):
    password_step(client)
    member.set_password("a brand new staff password")
    member.save()
    assert code_step(client, code_of(TOTPDevice.objects.get()))["Location"] == LOGIN


def test_the_admin_page_asked_for_is_opened_after_both_steps(client, member, recovery_codes):
    wanted = reverse("admin:customers_customer_changelist")
    password_step(client, next=wanted)
    assert code_step(client, code_of(TOTPDevice.objects.get()))["Location"] == wanted
    client.post(reverse("admin:logout"))
    password_step(client, next="https://evil.example/")
    assert code_step(client, recovery_codes[0])["Location"] == reverse("admin:index")


def test_the_code_step_needs_the_csrf_token(member, recovery_codes):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(LOGIN, {"username": "kasia", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert code_step(client, code_of(TOTPDevice.objects.get())).status_code == 403


# -- Enrolment ---------------------------------------------------------------------------------------


def enrolment_secret(page):
    return re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def test_a_member_without_an_app_enrols_by_qr_code_and_nothing_else_opens_before(client, member):
    password_step(client)
    page = client.get(SECOND_FACTOR).content.decode()
    secret = enrolment_secret(page)
    key = base64.b32decode(secret).hex()
    device = TOTPDevice(user=member, key=key)
    # The QR code on the page is the otpauth:// address of this very secret, for this member and eBOK.
    assert device.config_url.startswith("otpauth://totp/eBOK%3Akasia?secret=" + secret)
    assert "issuer=eBOK" in device.config_url
    assert staff.qr_code_svg(device) in page
    assert "<svg" in page  # drawn in the page itself: no image request, no script
    assert not reaches_the_admin(client)
    assert not TOTPDevice.objects.exists()  # nothing is stored before a code confirms it

    response = code_step(client, code_of(device))
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == staff.RECOVERY_CODES
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=member).confirmed
    assert reaches_the_admin(client)


def test_the_enrolment_page_shows_the_same_secret_until_confirmed(client, member):
    password_step(client)
    first = enrolment_secret(client.get(SECOND_FACTOR).content.decode())
    assert enrolment_secret(code_step(client, "12345x").content.decode()) == first
    assert enrolment_secret(client.get(SECOND_FACTOR).content.decode()) == first


def test_a_wrong_code_enrols_nothing(client, member):
    password_step(client)
    client.get(SECOND_FACTOR)
    response = code_step(client, "12345x")
    assert response.status_code == 200
    assert "Kod jest nieprawidłowy" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert not reaches_the_admin(client)


def test_without_a_permit_a_right_password_is_refused_and_shows_no_secret(client, member):
    member.otp_enrolment_until = None
    member.save()
    response = password_step(client)
    page = response.content.decode()
    assert response.status_code == 403
    assert "Konto nie ma skonfigurowanej weryfikacji dwuetapowej; poproś administratora" in page
    assert "Zeskanuj kod QR" not in page
    assert 'id="secret"' not in page
    assert staff.PENDING not in client.session
    assert "_auth_user_id" not in client.session
    assert client.get(SECOND_FACTOR)["Location"] == LOGIN
    assert not reaches_the_admin(client)
    assert not Throttle.objects.filter(key="staff-login:kasia").exists()  # a right password is no guess


def test_a_permit_that_ran_out_is_no_permit(client, clock, member):
    clock.shift(datetime.timedelta(seconds=limits.STAFF_ENROLMENT_PERMIT + 1))
    assert password_step(client).status_code == 403
    assert staff.PENDING not in client.session


def test_a_wrong_password_says_nothing_about_the_permit(client, member):
    member.otp_enrolment_until = None
    member.save()
    page = password_step(client, password="x").content.decode()
    assert "Wprowadź poprawne dane" in page
    assert "weryfikacji dwuetapowej" not in page


def test_a_permit_running_out_during_the_enrolment_shows_no_secret(client, clock, member):
    member.otp_enrolment_until = START + datetime.timedelta(minutes=1)
    member.save()
    password_step(client)
    clock.shift(datetime.timedelta(minutes=2))
    response = client.get(SECOND_FACTOR)
    assert response.status_code == 403
    assert "poproś administratora" in response.content.decode()
    assert 'id="secret"' not in response.content.decode()
    assert staff.PENDING not in client.session


def test_the_enrolment_uses_up_the_permit(client, member):
    password_step(client)
    device = TOTPDevice(key=base64.b32decode(enrolment_secret(client.get(SECOND_FACTOR).content.decode())).hex())
    code_step(client, code_of(device))
    member.refresh_from_db()
    assert member.otp_enrolment_until is None
    assert reaches_the_admin(client)


def test_of_two_sessions_enrolling_at_once_only_the_first_succeeds(member, monkeypatch):
    first, second = Client(), Client()
    password_step(first)
    password_step(second)
    keys = [base64.b32decode(enrolment_secret(c.get(SECOND_FACTOR).content.decode())).hex() for c in (first, second)]
    assert code_step(first, code_of(TOTPDevice(key=keys[0]))).status_code == 200
    # The second session was already past the check for an app when the first confirmed its own.
    monkeypatch.setattr(staff, "has_second_factor", lambda user: False)
    monkeypatch.setattr(type(member), "may_enrol_second_factor", lambda user: True)
    response = code_step(second, code_of(TOTPDevice(key=keys[1])))
    assert response.status_code == 403
    assert "poproś administratora" in response.content.decode()
    assert TOTPDevice.objects.get(user=member).key == keys[0]
    assert reaches_the_admin(first)
    monkeypatch.undo()
    assert not reaches_the_admin(second)


def test_recovery_codes_are_shown_only_once(client, member):
    password_step(client)
    device = TOTPDevice(key=base64.b32decode(enrolment_secret(client.get(SECOND_FACTOR).content.decode())).hex())
    code_step(client, code_of(device))
    assert client.get(SECOND_FACTOR)["Location"] == LOGIN
    index = client.get(reverse("admin:index")).content.decode()
    assert not any(token in index for token in StaticToken.objects.values_list("token", flat=True))


# -- Recovery codes ----------------------------------------------------------------------------------


def test_a_recovery_code_logs_in_once(client, member, recovery_codes):
    password_step(client)
    assert code_step(client, recovery_codes[0].upper()).status_code == 302
    assert reaches_the_admin(client)
    client.post(reverse("admin:logout"))
    password_step(client)
    response = code_step(client, recovery_codes[0])
    assert response.status_code == 200
    assert not reaches_the_admin(client)
    assert code_step(client, recovery_codes[1]).status_code == 302
    assert StaticToken.objects.count() == staff.RECOVERY_CODES - 2


# -- Limits ------------------------------------------------------------------------------------------


def test_wrong_codes_are_counted_and_then_even_the_right_one_is_refused(client, member, recovery_codes, clock):
    rule = limits.STAFF_CODE_FAILURES_PER_USER
    password_step(client)
    statuses = [code_step(client, "000000").status_code for _ in range(rule.limit)]
    assert statuses == [200] * rule.limit
    assert Throttle.objects.get(key=staff.code_key(member)).count == rule.limit
    clock.shift(datetime.timedelta(minutes=1))
    response = code_step(client, code_of(TOTPDevice.objects.get()))
    assert response.status_code == 429
    assert "Zbyt wiele błędnych kodów" in response.content.decode()
    assert response["Retry-After"] == str(rule.window - 60)
    assert not reaches_the_admin(client)
    # A new password step does not start a new count: the limit is the member's, not the session's.
    password_step(client)
    assert code_step(client, recovery_codes[0]).status_code == 429


def test_wrong_enrolment_codes_are_limited_with_retry_after(client, clock, member):
    rule = limits.STAFF_CODE_FAILURES_PER_USER
    password_step(client)
    for _ in range(rule.limit):
        assert code_step(client, "000000").status_code == 200
    clock.shift(datetime.timedelta(minutes=5))
    response = code_step(client, "000000")
    assert response.status_code == 429
    assert response["Retry-After"] == str(rule.window - 300)
    assert 'id="secret"' in response.content.decode()  # still the enrolment page, nothing enrolled
    assert not TOTPDevice.objects.exists()


def test_answers_under_the_limits_have_no_retry_after(client, member, recovery_codes):
    assert "Retry-After" not in password_step(client, password="x")
    password_step(client)
    assert "Retry-After" not in code_step(client, "000000")


def test_a_right_code_clears_the_count_of_wrong_ones(client, member, recovery_codes):
    password_step(client)
    code_step(client, "000000")
    code_step(client, code_of(TOTPDevice.objects.get()))
    assert not Throttle.objects.filter(key=staff.code_key(member)).exists()


def test_staff_passwords_are_limited_per_ip_over_all_usernames(client, member, recovery_codes, clock):
    rule = limits.STAFF_LOGIN_FAILURES_PER_IP
    statuses = [password_step(client, username=f"guess{n}", password="x").status_code for n in range(rule.limit)]
    assert statuses == [200] * rule.limit
    response = password_step(client)  # even the right password of a real member
    assert response.status_code == 429
    assert response["Retry-After"] == str(rule.window)
    assert "z tej sieci" in response.content.decode()
    assert staff.PENDING not in client.session
    assert password_step(Client(), ip="10.0.0.2").status_code == 302  # another network is not blocked


def test_staff_passwords_are_limited_per_username_from_any_ip(client, member, recovery_codes, clock):
    rule = limits.STAFF_LOGIN_FAILURES_PER_USERNAME
    for n in range(rule.limit):
        assert password_step(client, password="x", ip=f"10.0.1.{n}").status_code == 200
    response = password_step(client, username="KASIA", ip="10.0.2.1")
    assert response.status_code == 429
    assert "na tę nazwę użytkownika jest zablokowane" in response.content.decode()
    assert "Spróbuj ponownie za 60 min." in response.content.decode()
    assert response["Retry-After"] == "3600"
    clock.shift(datetime.timedelta(seconds=rule.window))
    assert password_step(client, ip="10.0.2.1").status_code == 302


def test_the_limits_hold_across_processes(client, member, recovery_codes, clock, monkeypatch):
    """The count is in the shared store (here the database), not in a process's memory."""
    rule = limits.STAFF_LOGIN_FAILURES_PER_USERNAME
    for n in range(rule.limit):
        password_step(client, password="x", ip=f"10.0.1.{n}")
        monkeypatch.setattr(throttle, "_store", None)  # the next request is served by a fresh process
    assert Throttle.objects.get(key="staff-login:kasia").count == rule.limit
    assert password_step(Client(), ip="10.0.3.1").status_code == 429


def test_an_unknown_username_is_answered_like_a_known_one(member, recovery_codes, clock):
    tries = limits.STAFF_LOGIN_FAILURES_PER_USERNAME.limit + 1

    def answers(username, network):
        pages = [password_step(Client(), username, "x", ip=f"{network}.{n}") for n in range(tries)]
        return [(page.status_code, re.sub(r'value="[^"]*"', "", page.content.decode())) for page in pages]

    known, unknown = answers("kasia", "10.0.4"), answers("nobody", "10.0.5")
    assert [status for status, _ in known] == [200] * (tries - 1) + [429]
    assert known == unknown


def test_a_right_password_takes_back_its_count(client, member, recovery_codes, clock):
    password_step(client, password="x")
    password_step(client)
    assert not Throttle.objects.filter(key="staff-login:kasia").exists()
    assert Throttle.objects.get(key="staff-login-ip:10.0.0.1").count == 1


def test_an_incomplete_form_counts_nothing(client, member):
    password_step(client, password="")
    assert not Throttle.objects.exists()


def test_limits_of_staff_are_written_down_with_their_reasons():
    for rule in (
        limits.STAFF_LOGIN_FAILURES_PER_IP,
        limits.STAFF_LOGIN_FAILURES_PER_USERNAME,
        limits.STAFF_CODE_FAILURES_PER_USER,
    ):
        assert rule in limits.RULES
        assert rule.why
    assert limits.STAFF_CODE_FAILURES_PER_USER.window <= limits.LONGEST_WINDOW


# -- The admin around it -----------------------------------------------------------------------------


def test_nobody_sees_or_sets_another_members_second_factor_in_the_admin(staff_client, member, recovery_codes):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
    listing = staff_client.get(reverse("admin:accounts_user_changelist"))
    assert "weryfikacja dwuetapowa" in listing.content.decode().lower()
    assert [user.enrolled for user in listing.context["cl"].result_list] == [True, True]


def test_logging_in_starts_the_absolute_session_limit(client, member, recovery_codes, clock):
    from accounts.middleware import LOGIN_AT

    password_step(client)
    code_step(client, code_of(TOTPDevice.objects.get()))
    assert client.session[LOGIN_AT] == START.timestamp() + 60
