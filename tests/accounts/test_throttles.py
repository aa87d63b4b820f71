"""Throttles hold across processes (database or Redis), per IP and per (code, IP)."""

import dataclasses
import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts import limits, throttle
from accounts.throttle import DatabaseStore, IpLimit, RedisStore, client_ip, ipv6_48
from tests.accounts.conftest import login, request_password

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def fail(client, times, ip="10.0.0.66", odbiorca="1234"):
    return [login(client, odbiorca=odbiorca, password="not the password", ip=ip).status_code for _ in range(times)]


def wait_in(response):
    """N from "Odczekaj N s", checked against the Retry-After header."""
    assert response.status_code == 429
    seconds = int(re.search(r"Odczekaj (\d+) s przed kolejną próbą", response.content.decode())[1])
    assert response["Retry-After"] == str(seconds)
    return seconds


def counted(key):
    return throttle.store().peek(key, limits.LONGEST_WINDOW).count


def test_failures_slow_down_then_block_the_code_from_that_ip(client, owner_user, clock):
    assert fail(client, limits.FREE_FAILURES) == [200] * limits.FREE_FAILURES
    # From now on each try has to wait longer; a try too early is refused and does not count.
    response = login(client, password="not the password", ip="10.0.0.66")
    assert wait_in(response) == limits.delay_after(limits.FREE_FAILURES)
    statuses = []
    for _ in range(limits.FAILED_LOGINS_PER_CUSTOMER_IP.limit):
        clock.shift(datetime.timedelta(seconds=limits.MAX_DELAY))
        statuses.append(login(client, password="not the password", ip="10.0.0.66").status_code)
    tries_left = limits.FAILED_LOGINS_PER_CUSTOMER_IP.limit - limits.FREE_FAILURES
    assert statuses[:tries_left] == [200] * tries_left
    assert set(statuses[tries_left:]) == {429}
    response = login(client, ip="10.0.0.66")  # even the right password
    assert response.status_code == 429
    assert "Logowanie na ten kod z Twojej sieci jest zablokowane." in response.content.decode()
    clock.shift(datetime.timedelta(seconds=int(response["Retry-After"])))
    assert login(client, ip="10.0.0.66").status_code == 302


def test_obeying_the_wait_the_message_gives_logs_in(client, owner_user, clock):
    fail(client, limits.FREE_FAILURES)
    clock.shift(datetime.timedelta(seconds=wait_in(login(client, ip="10.0.0.66"))))
    assert fail(client, 1) == [200]  # the fourth typo, checked
    wait = wait_in(login(client, ip="10.0.0.66"))
    assert wait == limits.delay_after(limits.FREE_FAILURES + 1)
    clock.shift(datetime.timedelta(seconds=wait - 1))
    assert wait_in(login(client, ip="10.0.0.66")) == 1  # the real wait left, not a new one
    clock.shift(datetime.timedelta(seconds=1))
    assert login(client, ip="10.0.0.66")["Location"] == reverse("dashboard")


def test_the_wait_is_rounded_up_to_a_whole_second_that_suffices(client, owner_user, clock):
    fail(client, limits.FREE_FAILURES)
    clock.shift(datetime.timedelta(milliseconds=300))
    wait = wait_in(login(client, ip="10.0.0.66"))
    assert wait == 2  # 1.7 s left
    clock.shift(datetime.timedelta(seconds=wait))
    assert login(client, ip="10.0.0.66").status_code == 302


def test_early_tries_neither_lengthen_the_wait_nor_count(client, owner_user, clock):
    fail(client, limits.FREE_FAILURES)
    waits = []
    for _ in range(limits.FAILED_LOGINS_PER_IP.limit + 5):  # more than the whole network may fail
        waits.append(wait_in(login(client, password="not the password", ip="10.0.0.66")))
    assert set(waits) == {limits.delay_after(limits.FREE_FAILURES)}
    assert counted("login-ip:10.0.0.66") == limits.FREE_FAILURES
    assert counted("login:jaworzno:001234-0000:10.0.0.66") == limits.FREE_FAILURES
    # The office behind the address still logs in for other customers, and this one after the wait.
    assert fail(client, 1, odbiorca="5678") == [200]
    clock.shift(datetime.timedelta(seconds=waits[0]))
    assert login(client, ip="10.0.0.66").status_code == 302


def test_a_try_found_early_only_when_counted_is_taken_back(client, owner_user, store, clock, monkeypatch):
    """Two tries in parallel can both pass the look before counting; the count decides, and the later
    one is refused without a trace: neither counted nor restarting the wait."""
    monkeypatch.setattr(throttle, "_store", store)
    fail(client, limits.FREE_FAILURES)
    clock.shift(datetime.timedelta(seconds=1))
    with monkeypatch.context() as patched:
        patched.setattr(type(store), "peek", lambda self, key, window: throttle.NOTHING)  # looked too soon
        assert wait_in(login(client, ip="10.0.0.66")) == 1
    assert counted("login-ip:10.0.0.66") == counted("login:jaworzno:001234-0000:10.0.0.66") == 3
    assert store.peek("login:jaworzno:001234-0000:10.0.0.66", 900).previous_at == START
    clock.shift(datetime.timedelta(seconds=1))
    assert login(client, ip="10.0.0.66").status_code == 302


def test_a_network_over_its_failed_logins_is_told_the_real_wait(client, owner_user, clock):
    for number in range(limits.FAILED_LOGINS_PER_IP.limit):
        fail(client, 1, odbiorca=str(1000 + number))
    clock.shift(datetime.timedelta(minutes=20))
    response = login(client, ip="10.0.0.66")
    assert response.status_code == 429
    assert "Spróbuj ponownie za 40 min." in response.content.decode()
    assert response["Retry-After"] == str(40 * 60)
    clock.shift(datetime.timedelta(minutes=40))
    assert login(client, ip="10.0.0.66").status_code == 302


def test_an_attacker_never_blocks_the_customer_logging_in_from_elsewhere(client, owner_user, clock):
    for _ in range(limits.FAILED_LOGINS_PER_CUSTOMER_IP.limit):
        fail(client, 1)
        clock.shift(datetime.timedelta(seconds=limits.MAX_DELAY))
    assert login(client, ip="10.0.0.66").status_code == 429
    assert login(client, ip="192.0.2.10").status_code == 302


def test_the_delay_is_the_same_for_an_unknown_code(client, owner_user, clock):
    known = fail(client, limits.FREE_FAILURES + 1, odbiorca="1234")
    unknown = fail(client, limits.FREE_FAILURES + 1, odbiorca="9876")
    assert known == unknown == [200] * limits.FREE_FAILURES + [429]


def test_failed_logins_per_ip_over_all_codes_get_429(client, owner_user, clock):
    for number in range(limits.FAILED_LOGINS_PER_IP.limit):
        fail(client, 1, odbiorca=str(1000 + number))
    response = login(client, ip="10.0.0.66")
    assert response.status_code == 429
    assert "Zbyt wiele nieudanych logowań" in response.content.decode()
    assert login(client, ip="10.0.0.67").status_code == 302


def test_success_clears_the_failures_of_the_code_from_that_ip(client, owner_user, clock):
    fail(client, limits.FREE_FAILURES)
    clock.shift(datetime.timedelta(seconds=limits.MAX_DELAY))
    assert login(client, ip="10.0.0.66").status_code == 302
    client.post(reverse("logout"))
    assert fail(client, limits.FREE_FAILURES) == [200] * limits.FREE_FAILURES


def test_a_forged_x_forwarded_for_changes_nothing(client, owner_user, clock):
    for forged in range(limits.FAILED_LOGINS_PER_CUSTOMER_IP.limit + 2):
        login(client, password="x" * 12, ip="10.0.0.66", HTTP_X_FORWARDED_FOR=f"203.0.113.{forged}")
        clock.shift(datetime.timedelta(seconds=limits.MAX_DELAY))
    assert login(client, ip="10.0.0.66", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.2.2.2")
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.1.1.1"
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "10.2.2.2"
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request) == "203.0.113.5"
    settings.TRUSTED_PROXIES = 5  # fewer entries than proxies: the header is not to be trusted
    assert client_ip(request) == "10.1.1.1"


def redis_store():
    store = RedisStore("redis://127.0.0.1:6379/15")
    try:
        store.redis.ping()
    except Exception as error:
        pytest.skip(f"Redis is not running: {error}")
    store.redis.flushdb()
    return store


@pytest.fixture(params=["database", "redis"])
def store(request, db):
    return DatabaseStore() if request.param == "database" else redis_store()


def test_a_store_counts_in_a_window_and_forgets_after_it(store, clock):
    assert store.peek("k", 60).count == 0
    first = store.hit("k", 60)
    assert (first.count, first.previous_at) == (1, None)
    clock.shift(datetime.timedelta(seconds=30))
    second = store.hit("k", 60)
    assert second.count == 2
    assert second.previous_at == START
    assert second.window_ends == START + datetime.timedelta(seconds=60)
    assert store.peek("k", 60).previous_at == START + datetime.timedelta(seconds=30)
    assert store.peek("other", 60).count == 0
    store.refund("k")
    assert store.peek("k", 60).count == 1
    clock.shift(datetime.timedelta(seconds=31))
    assert store.peek("k", 60).count == 0
    restarted = store.hit("k", 60)
    assert (restarted.count, restarted.previous_at) == (1, None)
    assert restarted.window_ends == START + datetime.timedelta(seconds=121)
    assert store.peek("k", 60).count == 1
    store.reset("k")
    assert store.peek("k", 60).count == 0


def test_a_refund_puts_back_the_time_of_the_event_before(store, clock):
    store.hit("k", 60)
    clock.shift(datetime.timedelta(seconds=10))
    refused = store.hit("k", 60)
    store.refund("k", refused)
    assert (store.peek("k", 60).count, store.peek("k", 60).previous_at) == (1, START)
    clock.shift(datetime.timedelta(seconds=10))
    taken_back = store.hit("k", 60)
    clock.shift(datetime.timedelta(seconds=10))
    store.hit("k", 60)  # counted in between: its time stays
    store.refund("k", taken_back)
    assert (store.peek("k", 60).count, store.peek("k", 60).previous_at) == (2, START + datetime.timedelta(seconds=30))


def test_the_database_store_is_shared_between_store_objects(db):
    DatabaseStore().hit("shared", 60)
    assert DatabaseStore().hit("shared", 60).count == 2


def test_ipv6_clients_are_counted_per_64_network():
    from accounts.throttle import ip_key

    assert ip_key("2001:db8:1:2:aaaa::1") == ip_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert ip_key("2001:db8:1:3::1") != ip_key("2001:db8:1:2::1")
    assert ip_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert ip_key("192.0.2.7") == "192.0.2.7"


def test_rotating_ipv6_addresses_in_one_network_does_not_help(client, owner_user, clock):
    for host in range(limits.FAILED_LOGINS_PER_CUSTOMER_IP.limit):
        login(client, password="x" * 12, ip=f"2001:db8:0:1::{host + 1:x}")
        clock.shift(datetime.timedelta(seconds=limits.MAX_DELAY))
    assert login(client, ip="2001:db8:0:1::ffff").status_code == 429
    assert login(client, ip="2001:db8:0:2::1").status_code == 302


def test_guessing_the_current_password_on_the_account_page_is_limited(client, owner_user, clock):
    from tests.conftest import log_in

    log_in(client, owner_user.customer)
    statuses = []
    for _ in range(limits.FAILED_LOGINS_PER_CUSTOMER_IP.limit + 1):
        response = client.post(
            reverse("account"), {"old_password": "guess", "new_password1": "n" * 20, "new_password2": "n" * 20}
        )
        statuses.append(response.status_code)
        clock.shift(datetime.timedelta(seconds=limits.MAX_DELAY))
    assert statuses[-1] == 429
    assert 200 in statuses


def test_parallel_hits_each_get_their_own_count(db):
    """Threads have connections of their own, outside the test's transaction, as processes would."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database of SQLite locks whole tables; PostgreSQL runs this in CI")

    def in_thread(action):
        def run(_):
            try:
                return action()
            finally:
                connection.close()

        return run

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(pool.map(in_thread(lambda: DatabaseStore().hit("parallel", 600).count), range(24)))
        list(pool.map(in_thread(lambda: DatabaseStore().reset("parallel")), range(1)))
    assert counts == list(range(1, 25))


# -- IPv6: each /64 is a client, each /48 has a count five times higher --------------------------------


def small(rule, limit=2):
    return dataclasses.replace(rule, limit=limit)


def test_ipv6_clients_are_also_counted_per_48_network():
    assert ipv6_48("2001:db8:1:2:aaaa::1") == ipv6_48("2001:db8:1:ffff::9") == "2001:db8:1::/48"
    assert ipv6_48("2001:db8:2::1") != ipv6_48("2001:db8:1::1")
    assert ipv6_48("::ffff:192.0.2.7") is None
    assert ipv6_48("192.0.2.7") is None
    assert limits.per_ipv6_48(limits.FAILED_LOGINS_PER_IP).limit == 5 * limits.FAILED_LOGINS_PER_IP.limit


def test_many_64_networks_of_one_48_share_its_higher_count(db, clock):
    rule = small(limits.FAILED_LOGINS_PER_IP)
    in_48 = [f"2001:db8:1:{n:x}::1" for n in range(limits.IPV6_48_FACTOR)]
    for ip in in_48:
        assert [IpLimit(rule, "t", ip).hit() for _ in range(rule.limit)] == [None, None]
    refusal = IpLimit(rule, "t", "2001:db8:1:ffff::1").hit()  # a fresh /64, but the /48 is used up
    assert refusal.retry_after == rule.window
    assert counted("t:2001:db8:1:ffff::/64") == 0  # the refused hit took back its count on the /64
    assert IpLimit(rule, "t", "2001:db8:2::1").hit() is None  # another /48
    assert IpLimit(rule, "t", "10.0.0.1").hit() is None  # IPv4 has no /48 count


def test_rotating_64_networks_does_not_lift_the_customer_login_limit(client, owner_user, clock, monkeypatch):
    monkeypatch.setattr(limits, "FAILED_LOGINS_PER_IP", small(limits.FAILED_LOGINS_PER_IP))
    for n in range(limits.IPV6_48_FACTOR * 2):
        login(client, odbiorca=str(5000 + n), password="x" * 12, ip=f"2001:db8:1:{n // 2:x}::1")
    response = login(client, ip="2001:db8:1:ffff::1")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"


def test_rotating_64_networks_does_not_lift_the_password_request_limit(client, owner, clock, monkeypatch):
    monkeypatch.setattr(limits, "PASSWORD_REQUESTS_PER_IP", small(limits.PASSWORD_REQUESTS_PER_IP))
    for n in range(limits.IPV6_48_FACTOR * 2):
        assert request_password(client, ip=f"2001:db8:1:{n // 2:x}::1").status_code == 302
    response = request_password(client, ip="2001:db8:1:ffff::1")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert request_password(client, ip="2001:db8:2::1").status_code == 302


def test_rotating_64_networks_does_not_lift_the_staff_login_limit(client, staff_user, clock, monkeypatch):
    monkeypatch.setattr(limits, "STAFF_LOGIN_FAILURES_PER_IP", small(limits.STAFF_LOGIN_FAILURES_PER_IP))
    for n in range(limits.IPV6_48_FACTOR * 2):
        form = {"username": f"guess{n}", "password": "x"}
        assert client.post(reverse("admin:login"), form, REMOTE_ADDR=f"2001:db8:1:{n // 2:x}::1").status_code == 200
    form = {"username": "bok", "password": "staff password 1"}
    response = client.post(reverse("admin:login"), form, REMOTE_ADDR="2001:db8:1:ffff::1")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
