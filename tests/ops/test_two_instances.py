"""Two instances behave as one (issue 13, point 3): two gunicorn processes on their own ports, one PostgreSQL
database (and one Redis where REDIS_URL is set), one folder of stored files, two db_worker processes.

Everything here is real HTTP between separate processes; the test only prepares data and looks at the database,
the mail server and the stored files.
"""

import asyncio
import datetime
import email
import email.policy
import re
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import Client

from accounts import emails
from accounts.models import EmailDelivery, Throttle
from customers.models import Customer
from invoices.models import Invoice
from tests.conftest import PASSWORD, log_in
from tests.invoices.conftest import make_invoice
from tests.ops.instances import Browser, Instance, environment, free_port, worker

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: emptied by these tests


@pytest.fixture(scope="module")
def postgresql(django_db_setup):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL (DATABASE_URL): the instances are other processes, and the SQLite test database "
            "lives in this process's memory. CI runs it on PostgreSQL."
        )


def start_pair(folder, **extra):
    env = environment(folder, **extra)
    pair = [Instance("a", env, folder), Instance("b", env, folder)]
    try:
        return [instance.wait_until_up() for instance in pair]
    except Exception:
        for instance in pair:
            instance.stop()
        raise


@pytest.fixture(scope="module")
def instances(postgresql, tmp_path_factory):
    """A and B, throttle counters in the database."""
    pair = start_pair(tmp_path_factory.mktemp("instances"))
    yield pair
    for instance in pair:
        instance.stop()


@pytest.fixture(scope="module")
def redis_instances(postgresql, tmp_path_factory):
    """A and B with REDIS_URL: throttle counters in Redis."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts one)")
    client.flushdb()
    pair = start_pair(tmp_path_factory.mktemp("redis-instances"), REDIS_URL=REDIS_URL)
    yield pair
    for instance in pair:
        instance.stop()
    client.flushdb()


@pytest.fixture
def committed(committed_regions, transactional_db):
    """Data the other processes can see: committed, and emptied after the test."""


@pytest.fixture(params=["database", "redis"])
def store(request, committed):
    """Each throttle store: (its name, the two instances using it)."""
    pair = request.getfixturevalue("instances" if request.param == "database" else "redis_instances")
    if request.param == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    return request.param, pair


def test_a_session_made_on_one_instance_works_on_the_other(instances, committed, owner_user):
    a, b = instances
    browser = Browser()
    answer = browser.post(a, "/jaworzno/logowanie/", {"odbiorca": "1234", "password": PASSWORD})
    assert (answer.status, answer.headers["Location"]) == (302, "/pulpit/")
    page = browser.get(b, "/pulpit/")
    assert page.status == 200
    assert "Spółdzielnia Mieszkaniowa „Zgoda”" in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    assert browser.request(b, "/wyloguj/", {"csrfmiddlewaretoken": token}).status == 302
    assert browser.get(a, "/pulpit/").status == 302  # logged out on B: A knows it too


def test_failed_logins_on_both_instances_add_up_to_one_limit(store, owner):
    """FAILED_LOGINS_PER_IP: 30 an hour from one address. 15 on A and 15 on B, each instance's own count far
    below the limit, and the 31st try is refused on either: the count is one, in the shared store."""
    name, (a, b) = store
    browser = Browser()
    for n in range(30):
        # 3 tries on each of 10 codes: the free tries of a code, so no per-code wait gets in the way.
        code = str(2000 + n // 3)
        answer = browser.post(a if n % 2 else b, "/jaworzno/logowanie/", {"odbiorca": code, "password": "zle"})
        assert answer.status == 200, n
        assert "Nieprawidłowy kod odbiorcy lub hasło." in answer.text
    for instance in (a, b):
        refused = browser.post(instance, "/jaworzno/logowanie/", {"odbiorca": "3000", "password": "zle"})
        assert refused.status == 429
        assert int(refused.headers["Retry-After"]) > 3000
    assert Throttle.objects.filter(key="login-ip:127.0.0.1").exists() == (name == "database")


def test_password_requests_on_both_instances_add_up_to_one_limit(store):
    """PASSWORD_REQUESTS_PER_IP: 20 an hour from one address; 10 on A, 10 on B, the 21st refused on either."""
    name, (a, b) = store
    browser = Browser()
    for n in range(20):
        answer = browser.post(a if n % 2 else b, "/jaworzno/pobierz-haslo/", {"odbiorca": str(1000 + n)})
        assert (answer.status, answer.headers["Location"]) == (302, "/jaworzno/pobierz-haslo/wyslano/"), n
    for instance in (a, b):
        assert browser.post(instance, "/jaworzno/pobierz-haslo/", {"odbiorca": "1234"}).status == 429
    if name == "redis":
        import redis

        assert int(redis.Redis.from_url(REDIS_URL).hget("password-ip:127.0.0.1", "count")) == 20
    else:
        assert Throttle.objects.get(key="password-ip:127.0.0.1").count == 20


class SlowMailbox:
    """A mail server that takes a moment per message, as a real relay does, so both workers get some."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.1)
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def test_two_workers_send_each_queued_mail_exactly_once(postgresql, committed, jaworzno, tmp_path):
    mailbox = SlowMailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    customers = [
        Customer.objects.create(
            region=jaworzno,
            number=f"{5000 + n:06d}",
            name=f"Odbiorca {n}",
            email=f"odbiorca{n}@example.pl",
            email_requested_on=datetime.date(2026, 10, 1),
        )
        for n in range(20)
    ]
    for customer in customers:
        emails.password_changed(customer=customer)
    env = environment(tmp_path, EMAIL_URL=f"smtp://{smtp.hostname}:{smtp.port}")
    workers = [worker("worker-a", env, tmp_path), worker("worker-b", env, tmp_path)]
    try:
        deadline = time.monotonic() + 45
        while EmailDelivery.objects.exclude(status=EmailDelivery.Status.SENT).exists():
            assert time.monotonic() < deadline, [w.output() for w in workers]
            time.sleep(0.2)
        time.sleep(0.5)  # a doubled send would arrive now
    finally:
        for process in workers:
            process.stop()
        smtp.stop()
    recipients = sorted(message["To"] for message in mailbox.received)
    assert recipients == sorted(customer.email for customer in customers)
    from django_tasks_db.models import DBTaskResult

    taken_by = [result.worker_ids for result in DBTaskResult.objects.all()]
    assert all(len(ids) == 1 for ids in taken_by)  # each task taken once
    assert {ids[0] for ids in taken_by} == {"worker-a", "worker-b"}  # by whichever came first


def test_a_pdf_stored_by_one_instance_is_served_by_the_other(instances, committed, owner):
    from invoices import pdf

    if not pdf.available():
        pytest.skip("WeasyPrint does not load on this machine (Pango missing)")
    a, b = instances
    invoice = make_invoice(owner)
    browser = Browser()
    browser.cookies["sessionid"] = log_in(Client(), owner).cookies["sessionid"].value
    path = f"/faktury/{invoice.public_id}/pdf/"
    first = browser.get(a, path)
    assert first.status == 200
    assert first.body.startswith(b"%PDF-")
    invoice.refresh_from_db()
    stored = Path(a.env["MEDIA_ROOT"]) / invoice.pdf.name
    assert stored.read_bytes() == first.body
    # Mark the stored file: what B serves must be this very file, not a render of its own.
    marked = first.body + b"\n% stored by instance A\n"
    stored.write_bytes(marked)
    modified = stored.stat().st_mtime_ns
    second = browser.get(b, path)
    assert second.status == 200
    assert second.body == marked
    assert stored.stat().st_mtime_ns == modified
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == invoice.pdf.name
