"""One log line per security event of the way in, naming who and from where, never a secret."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import limits, staff
from accounts.models import enrolment_permit_end
from customers import consent
from ops.metrics import REGISTRY
from tests.accounts.conftest import PASSWORD, login, request_password

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
STAFF_PASSWORD = "staff password 1"


def sent_password():
    return re.search(r"Hasło jednorazowe: (\S+)", mail.outbox[-1].body)[1]


def counter(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def test_a_login_is_logged_with_the_customer_and_never_the_password_or_session(client, owner_user, owner, log):
    response = login(client, ip="10.0.0.5")
    assert response.status_code == 302
    (event,) = log.events("login_succeeded")
    assert event["level"] == "INFO"
    assert (event["customer_id"], event["region"], event["code"], event["ip"]) == (
        owner.pk, "jaworzno", "001234-0000", "10.0.0.5"
    )  # fmt: skip
    assert event["view"] == "login"
    assert re.fullmatch(r"[0-9a-f]{32}", event["request_id"])
    session_id = client.cookies["sessionid"].value
    text = "\n".join(log.all())
    assert PASSWORD not in text
    assert session_id not in text


def test_a_failed_login_is_a_warning_with_the_code_typed_and_counts_as_a_failure(client, owner_user, log):
    before = counter("ebok_login_failures_total", kind="customer")
    login(client, odbiorca="1234", password="guessed password 1", ip="10.0.0.6")
    (event,) = log.events("login_failed")
    assert event["level"] == "WARNING"
    assert (event["region"], event["code"], event["ip"]) == ("jaworzno", "001234-0000", "10.0.0.6")
    assert "customer_id" not in event  # the failure does not tell whether the code exists
    assert "guessed password 1" not in "\n".join(log.all())
    assert counter("ebok_login_failures_total", kind="customer") == before + 1


def test_a_refusal_by_a_limit_is_logged_with_the_wait(client, owner_user, log):
    with time_machine.travel(START, tick=False):
        for _ in range(limits.FREE_FAILURES + 1):
            response = login(client, password="not the password", ip="10.0.0.66")
    assert response.status_code == 429
    (event,) = log.events("throttled")
    assert event["level"] == "WARNING"
    assert (event["view"], event["ip"], event["retry_after"]) == ("login", "10.0.0.66", int(response["Retry-After"]))


def test_a_password_request_and_the_workers_e_mail_are_logged_but_not_the_one_time_password(
    run_worker, client, owner_user, owner, log
):
    request_password(client, ip="10.0.0.7")
    (requested,) = log.events("password_requested")
    assert (requested["region"], requested["code"], requested["ip"]) == ("jaworzno", "001234-0000", "10.0.0.7")
    run_worker()
    (queued,) = log.events("one_time_password_queued")
    assert (queued["customer_id"], queued["by_staff"]) == (owner.pk, False)
    one_time = sent_password()
    login(client, password=one_time)
    assert len(log.events("login_succeeded")) == 1
    text = "\n".join(log.all())
    assert one_time not in text
    assert owner.email not in text
    assert client.cookies["sessionid"].value not in text


def test_setting_the_own_password_is_logged_without_it(run_worker, client, owner, log):
    request_password(client)
    run_worker()
    login(client, password=sent_password())
    new = "lato nad zalewem Sosina"
    client.post(reverse("set_password"), {"new_password1": new, "new_password2": new})
    (event,) = log.events("password_changed")
    assert event["customer_id"] == owner.pk
    assert new not in "\n".join(log.all())


def test_an_email_change_by_staff_names_both_addresses_masked(staff_client, staff_user, owner, log):
    url = reverse("admin:customers_customer_change", args=[owner.pk])
    inline = {"metering_points-TOTAL_FORMS": "0", "metering_points-INITIAL_FORMS": "0"}
    staff_client.post(url, {"email": "nowy.adres@example.com", "email_requested_on": "25.11.2026", **inline})
    (event,) = log.events("email_changed")
    assert (event["old_email"], event["new_email"]) == ("z***@sm-zgoda.example", "n***@example.com")
    assert (event["customer_id"], event["user_id"], event["staff"]) == (owner.pk, staff_user.pk, "bok")
    text = "\n".join(log.all())
    assert "zarzad@sm-zgoda.example" not in text
    assert "nowy.adres@example.com" not in text


def test_a_consent_change_online_is_logged(owner_client, owner, log):
    data = {"action": "granted", "text_version": consent.CURRENT_VERSION, "accept": "on"}
    owner_client.post("/konto/e-faktura/", data, REMOTE_ADDR="192.0.2.7")
    (event,) = log.events("einvoice_consent_changed")
    assert (event["customer_id"], event["action"], event["channel"]) == (owner.pk, "granted", "online")
    assert "staff" not in event
    assert owner.email not in "\n".join(log.all())


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(
        "kasia", "kasia@example.com", STAFF_PASSWORD, is_staff=True, otp_enrolment_until=enrolment_permit_end()
    )


def test_staff_login_steps_are_logged_and_the_code_never(client, member, log):
    key = "3132333435363738393031323334353637383930"
    with time_machine.travel(START, tick=False) as clock:
        staff.enrol(member, key, f"{totp(TOTPDevice(key=key).bin_key):06d}")
        clock.shift(datetime.timedelta(minutes=1))
        before = counter("ebok_login_failures_total", kind="staff_password")
        client.post("/admin/login/", {"username": "kasia", "password": "wrong one"}, REMOTE_ADDR="10.0.0.9")
        client.post("/admin/login/", {"username": "kasia", "password": STAFF_PASSWORD}, REMOTE_ADDR="10.0.0.9")
        client.post("/admin/logowanie/kod/", {"code": "000000"})
        code = f"{totp(TOTPDevice.objects.get().bin_key):06d}"
        assert client.post("/admin/logowanie/kod/", {"code": code}).status_code == 302
    (failed,) = log.events("staff_login_failed")
    assert (failed["reason"], failed["ip"]) == ("invalid_login", "10.0.0.9")
    assert "wrong one" not in failed.values()
    assert "staff" not in failed
    assert counter("ebok_login_failures_total", kind="staff_password") == before + 1
    (accepted,) = log.events("staff_password_accepted")
    assert (accepted["user_id"], accepted["staff"]) == (member.pk, "kasia")
    (wrong_code,) = log.events("staff_second_factor_failed")
    assert (wrong_code["reason"], wrong_code["staff"]) == ("invalid", "kasia")
    assert log.events("staff_second_factor_accepted")[0]["user_id"] == member.pk
    text = "\n".join(log.all())
    assert STAFF_PASSWORD not in text
    assert code not in re.sub(r'"(time|request_id)": "[^"]*"', "", text)  # (6 digits may occur in those)
    assert client.cookies["sessionid"].value not in text


def test_an_enrolment_is_logged(client, member, log):
    client.post("/admin/login/", {"username": "kasia", "password": STAFF_PASSWORD})
    client.get("/admin/logowanie/kod/")
    secret = client.session[staff.PENDING]["key"]
    code = f"{totp(TOTPDevice(key=secret).bin_key):06d}"
    client.post("/admin/logowanie/kod/", {"code": code})
    (event,) = log.events("staff_second_factor_enrolled")
    assert event["staff"] == "kasia"
    assert secret not in "\n".join(log.all())


def test_fields_named_like_secrets_are_dropped_and_addresses_masked(log):
    from ops.events import security_event

    security_event("test_event", password="hunter2", session_key="abc", token="t", email="jan.nowak@example.pl")
    (event,) = log.events("test_event")
    assert {"password", "session_key", "token"}.isdisjoint(event)
    assert event["email"] == "j***@example.pl"


def test_an_empty_staff_login_form_is_no_login_try(client, member, log):
    client.post("/admin/login/", {"username": "", "password": ""})
    assert log.events() == []
