"""Pobierz hasło do systemu: one answer for every code, one-time passwords that lock no one out."""

import datetime
import itertools
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts import limits
from accounts.models import EmailDelivery, OneTimePassword
from customers.models import Customer
from tests.accounts.conftest import PASSWORD, login, request_password
from tests.conftest import without_csrf_token

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sent_password():
    """The one-time password from the last e-mail sent."""
    return re.search(r"Hasło jednorazowe: (\S+)", mail.outbox[-1].body)[1]


def answer(response):
    """What a visitor can observe: status, where it leads, body, cookies set. The language switch's CSRF
    token is masked afresh for every response, whatever the code, so it is left out."""
    body = without_csrf_token(response.content.decode())
    return response.status_code, response.get("Location"), body, sorted(response.cookies.keys())


@pytest.fixture
def cast(owner, jaworzno):
    Customer.objects.create(region=jaworzno, number="002000", name="Bez e-maila")
    Customer.objects.create(
        region=jaworzno,
        number="003000",
        name="Nieaktywny",
        active=False,
        email="x@example.com",
        email_requested_on="2026-01-01",
    )
    throttled = Customer.objects.create(
        region=jaworzno, number="004000", name="Limit", email="limit@example.com", email_requested_on="2026-01-01"
    )
    for _ in range(3):  # three mails a moment ago: in the cool-down
        one_time = OneTimePassword.objects.create(
            customer=throttled, password_hash="x", expires_at="2099-01-01T00:00Z", revoked_at="2026-01-01T00:00Z"
        )
        EmailDelivery.objects.create(
            kind="one_time_password", to=throttled.email, customer=throttled, one_time_password=one_time
        )
    return {"existing": "1234", "no e-mail": "2000", "inactive": "3000", "unknown": "7777", "throttled": "4000"}


def test_the_answer_is_the_same_for_every_kind_of_code(run_worker, client, cast):
    answers = {kind: answer(request_password(client, odbiorca=code)) for kind, code in cast.items()}
    # The page did the same work for every code: it queued the request, nothing else.
    assert DBTaskResult.objects.filter(task_path="accounts.tasks.password_request").count() == len(cast)
    assert EmailDelivery.objects.count() == 3  # the throttled code's earlier mails
    run_worker()
    assert len(set(map(repr, answers.values()))) == 1, answers
    status, location, _body, _cookies = answers["existing"]
    assert status == 302
    assert location == reverse("password_request_sent", kwargs={"region": "jaworzno"})
    assert "Jeśli ten kod jest zarejestrowany w eBOK, hasło zostało wysłane" in client.get(location).content.decode()
    # Only the existing, enrolled, active code under its limit gets a password.
    assert OneTimePassword.objects.filter(customer__number="001234").count() == 1
    assert OneTimePassword.objects.count() == 4
    assert EmailDelivery.objects.count() == 4


def test_the_email_is_queued_with_the_request_and_sent_by_the_worker(run_worker, client, owner):
    request_password(client)
    assert mail.outbox == []  # the page does not wait for the worker, let alone SMTP
    run_worker()
    delivery = EmailDelivery.objects.get()
    one_time = OneTimePassword.objects.get()
    password = sent_password()
    # Neither the queue nor the log holds the password.
    assert password not in str(list(DBTaskResult.objects.values_list("args_kwargs", "return_value")))
    assert password not in str(delivery.context)
    assert password not in one_time.password_hash
    assert mail.outbox[0].to == [owner.email]
    assert "001234-0000" in mail.outbox[0].body
    assert len(password) >= 12
    assert not set(password) & set("0O1lI")
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT


def test_a_request_leaves_the_current_password_working(run_worker, client, owner_user):
    request_password(client)
    run_worker()
    assert login(client).status_code == 302


def test_the_one_time_password_works_once_and_leads_to_setting_a_password(run_worker, client, owner_user):
    request_password(client)
    run_worker()
    password = sent_password()
    response = login(client, password=password)
    assert response["Location"] == reverse("set_password")
    assert client.get(reverse("dashboard"))["Location"] == reverse("set_password")
    assert client.get(reverse("account"))["Location"] == reverse("set_password")
    client.post(reverse("logout"))
    assert login(client, password=password).status_code == 200  # used up
    assert login(client).status_code == 302  # the own password never stopped working


def test_setting_the_own_password_after_a_one_time_login(run_worker, client, owner):
    request_password(client)
    run_worker()
    login(client, password=sent_password())
    response = client.post(
        reverse("set_password"),
        {"new_password1": "lato nad zalewem Sosina", "new_password2": "lato nad zalewem Sosina"},
    )
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    run_worker()
    assert "hasło zostało zmienione" in mail.outbox[-1].subject
    client.post(reverse("logout"))
    assert login(client, password="lato nad zalewem Sosina").status_code == 302


def test_the_one_time_password_expires_after_24_hours(run_worker, client, owner_user):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC), tick=False) as clock:
        request_password(client)
        run_worker()
        password = sent_password()
        clock.shift(datetime.timedelta(hours=24, seconds=1))
        assert login(client, password=password).status_code == 200


def test_the_one_time_password_works_just_before_it_expires(run_worker, client, owner_user):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC), tick=False) as clock:
        request_password(client)
        run_worker()
        password = sent_password()
        clock.shift(datetime.timedelta(hours=23, minutes=59))
        assert login(client, password=password)["Location"] == reverse("set_password")


def test_a_lost_first_mail_and_a_retry_give_the_same_working_password(run_worker, client, owner_user, clock):
    request_password(client)
    run_worker()
    first = sent_password()
    assert "Zaloguj się nim w ciągu 24 godzin" in mail.outbox[-1].body
    clock.shift(datetime.timedelta(hours=5))
    request_password(client)
    run_worker()
    assert len(mail.outbox) == 2
    assert sent_password() == first
    assert "Zaloguj się nim w ciągu 19 godzin" in mail.outbox[-1].body  # what is left of the 24 hours
    assert OneTimePassword.objects.get().expires_at == START + datetime.timedelta(hours=24)
    assert login(client, password=first)["Location"] == reverse("set_password")


def test_a_stranger_s_request_does_not_void_the_owner_s_password(run_worker, client, owner_user, clock):
    request_password(client, ip="192.0.2.10")  # the owner
    run_worker()
    password = sent_password()
    clock.shift(datetime.timedelta(seconds=30))
    request_password(Client(), ip="203.0.113.66")  # a stranger, elsewhere
    run_worker()
    clock.shift(datetime.timedelta(minutes=5))  # the stranger's request waited out the cool-down
    run_worker()
    assert len(mail.outbox) == 2  # the stranger's request was answered, with the same password
    assert sent_password() == password
    clock.shift(datetime.timedelta(hours=20))  # the owner opens the mail late
    assert login(client, password=password, ip="192.0.2.10")["Location"] == reverse("set_password")


def test_after_expiry_a_new_password_is_made(run_worker, client, owner_user, clock):
    request_password(client)
    run_worker()
    first = sent_password()
    clock.shift(datetime.timedelta(hours=24))
    request_password(client)
    run_worker()
    assert sent_password() != first
    assert "Zaloguj się nim w ciągu 24 godzin" in mail.outbox[-1].body
    assert login(client, password=first).status_code == 200
    assert login(client, password=sent_password())["Location"] == reverse("set_password")


def test_a_password_in_its_last_hour_is_replaced_when_it_expires_not_mailed_dying(
    run_worker, client, owner_user, clock
):
    request_password(client)
    run_worker()
    first = sent_password()
    clock.shift(datetime.timedelta(hours=23, minutes=30))
    request_password(client, ip="192.0.2.10")
    run_worker()
    assert len(mail.outbox) == 1  # not a mail dead within half an hour, but not dropped either
    assert login(Client(), password=first)["Location"] == reverse("set_password")  # and still working
    clock.shift(datetime.timedelta(minutes=30))
    run_worker()
    assert len(mail.outbox) == 2
    assert sent_password() != first
    assert "Zaloguj się nim w ciągu 23 godzin" in mail.outbox[-1].body  # 24 hours from the request
    assert OneTimePassword.objects.usable().get().expires_at == START + datetime.timedelta(hours=47, minutes=30)


def test_after_use_the_nonce_is_wiped_and_a_new_request_makes_a_new_password(run_worker, client, owner_user, clock):
    request_password(client)
    run_worker()
    first = sent_password()
    one_time = OneTimePassword.objects.get()
    assert one_time.nonce  # kept while the password works, to mail it again
    login(client, password=first)
    one_time.refresh_from_db()
    assert one_time.used_at == START
    assert one_time.nonce == ""
    clock.shift(datetime.timedelta(seconds=limits.PASSWORD_EMAIL_COOL_DOWN))
    request_password(Client())
    run_worker()
    assert sent_password() != first
    assert OneTimePassword.objects.count() == 2


def set_own_password(client):
    login(client)
    client.post(
        reverse("account"),
        {
            "old_password": PASSWORD,
            "new_password1": "lato nad zalewem Sosina",
            "new_password2": "lato nad zalewem Sosina",
        },
    )


def change_email(client, owner):
    from accounts import services

    old_email = owner.email
    owner.email = "nowy@example.com"
    owner.save()
    services.customer_change_email(customer=owner, old_email=old_email)


def staff_send(client, owner):
    from accounts import services

    services.password_request(region=owner.region, number=owner.number, sub_code=owner.sub_code, by_staff=True)


@pytest.mark.parametrize(
    "revoke",
    [staff_send, change_email, lambda client, owner: set_own_password(client)],
    ids=["staff", "e-mail", "own"],
)
def test_staff_s_send_an_e_mail_change_and_an_own_password_still_void_a_sent_password(
    run_worker, client, owner_user, owner, clock, revoke
):
    request_password(client)
    run_worker()
    password = sent_password()
    revoke(client, owner)
    one_time = OneTimePassword.objects.order_by("created_at").first()
    assert one_time.revoked_at == START
    assert one_time.nonce == ""
    assert login(Client(), password=password).status_code == 200


def test_the_answer_is_the_same_whether_a_password_is_made_mailed_again_or_nothing(run_worker, client, owner, clock):
    fresh = answer(request_password(client))
    run_worker()
    again = answer(request_password(client, ip="192.0.2.10"))
    unknown = answer(request_password(client, odbiorca="7777", ip="192.0.2.11"))
    run_worker()
    assert fresh == again == unknown


def test_the_fourth_request_from_one_network_in_24_hours_sends_nothing(run_worker, client, owner):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC), tick=False) as clock:
        for _ in range(4):
            response = request_password(client)
            assert response.status_code == 302
            run_worker()
            clock.shift(datetime.timedelta(minutes=10))
        assert len(mail.outbox) == 3
        assert EmailDelivery.objects.count() == 3
        clock.shift(datetime.timedelta(hours=24, minutes=1))
        request_password(client)
        run_worker()
        assert len(mail.outbox) == 4


def test_too_many_requests_from_one_ip_get_a_polish_429(run_worker, client, owner, clock):
    for number in range(limits.PASSWORD_REQUESTS_PER_IP.limit):
        assert request_password(client, odbiorca=str(5000 + number)).status_code == 302
    response = request_password(client)
    assert response.status_code == 429
    assert "Zbyt wiele próśb o hasło z Twojej sieci. Spróbuj ponownie za 60 min." in response.content.decode()
    assert response["Retry-After"] == "3600"
    clock.shift(datetime.timedelta(minutes=59, seconds=1))
    response = request_password(client)  # refusals did not count: the wait is what the message said
    assert response["Retry-After"] == "59"
    assert request_password(client, ip="10.0.0.2").status_code == 302
    run_worker()
    assert OneTimePassword.objects.count() == 1  # the 429 sent nothing; the other IP did


def test_a_malformed_code_is_explained_and_sends_nothing(client, owner):
    response = request_password(client, odbiorca="abc")
    assert "Wpisz kod odbiorcy z faktury" in response.content.decode()
    assert not OneTimePassword.objects.exists()


def test_the_old_password_still_works_while_a_request_is_pending(client, owner_user):
    request_password(client)
    assert login(client, password=PASSWORD).status_code == 302


def test_a_request_the_worker_reaches_only_a_day_later_is_dropped(run_worker, client, owner):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC), tick=False) as clock:
        request_password(client)
        clock.shift(datetime.timedelta(hours=24, minutes=1))  # the worker was down
        run_worker()
    assert not OneTimePassword.objects.exists()
    assert mail.outbox == []


def test_a_late_worker_does_not_lengthen_the_password_s_validity(run_worker, client, owner_user):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC), tick=False) as clock:
        request_password(client)
        clock.shift(datetime.timedelta(hours=23))  # the worker was down most of a day
        run_worker()
        password = sent_password()
        clock.shift(datetime.timedelta(hours=1, seconds=1))  # 24 h after the request
        assert login(client, password=password).status_code == 200


def mail_times(owner):
    mails = owner.email_deliveries.filter(kind="one_time_password")
    return list(mails.order_by("created_at").values_list("created_at", flat=True))


def test_a_stranger_cannot_use_up_the_owner_s_mails(run_worker, client, owner, clock):
    for _ in range(10):  # far more than the three a day one network gets
        request_password(client, ip="203.0.113.66")
        run_worker()
        clock.shift(datetime.timedelta(minutes=limits.PASSWORD_EMAIL_COOL_DOWN // 60))
    assert len(mail.outbox) == limits.PASSWORD_EMAILS_PER_REQUESTER.limit
    asked_at = START + datetime.timedelta(minutes=50)
    clock.move_to(asked_at)
    request_password(client, ip="192.0.2.10")  # the owner, at home
    run_worker()
    assert len(mail.outbox) == limits.PASSWORD_EMAILS_PER_REQUESTER.limit + 1
    assert mail_times(owner)[-1] == asked_at


def test_a_request_in_the_cool_down_is_answered_when_it_ends(run_worker, client, owner, clock):
    request_password(client, ip="203.0.113.66")
    run_worker()
    clock.shift(datetime.timedelta(minutes=1))
    request_password(client, ip="192.0.2.10")  # the owner, a minute after a stranger's mail
    request_password(client, ip="198.51.100.7")  # and another stranger
    run_worker()
    assert len(mail.outbox) == 1  # not yet, but not dropped either
    clock.shift(datetime.timedelta(seconds=limits.PASSWORD_EMAIL_COOL_DOWN - 60))
    run_worker()
    assert len(mail.outbox) == 2  # one mail answers both waiting requests
    assert mail_times(owner)[-1] == START + datetime.timedelta(seconds=limits.PASSWORD_EMAIL_COOL_DOWN)
    assert login(client, password=sent_password(), ip="192.0.2.10")["Location"] == reverse("set_password")


def test_many_addresses_cannot_flood_the_mailbox_nor_keep_the_owner_waiting(run_worker, client, owner, clock):
    """A request every 20 minutes for a day, each from another network, and the owner asking midway."""
    owner_asked_at = START + datetime.timedelta(hours=12, minutes=5)
    for step in range(3 * 24):
        clock.move_to(START + datetime.timedelta(minutes=20 * step))
        request_password(client, ip=f"203.0.113.{step + 1}")
        run_worker()  # this request, and those waiting whose cool-down is over
        if step == 36:
            clock.move_to(owner_asked_at)
            request_password(client, ip="192.0.2.10")
            run_worker()
    times = mail_times(owner)
    assert len(times) <= 30  # from 72 networks; a fixed 5-minute cool-down alone would have sent 72
    for mails, (before, after) in enumerate(itertools.pairwise(times), start=1):
        assert (after - before).total_seconds() >= limits.password_email_cool_down(mails)
    owner_answer = min(time for time in times if time >= owner_asked_at)
    assert owner_answer - owner_asked_at <= datetime.timedelta(seconds=limits.PASSWORD_EMAIL_MAX_COOL_DOWN)


def test_staff_send_a_password_whatever_the_limits(run_worker, client, owner, clock):
    from accounts import services

    for _ in range(3):
        request_password(client)
        run_worker()
        clock.shift(datetime.timedelta(minutes=6))
    assert services.password_request(region=owner.region, number=owner.number, sub_code=owner.sub_code, by_staff=True)
    run_worker()
    assert len(mail.outbox) == 4
