"""The fixed cast of test customers (healthchecks' alice/bob/charlie):

- ``owner``: 001234-0000 in Jaworzno, the one logged in;
- ``sibling``: 001234-0001, a sub-customer of the same code in the same region;
- ``stranger``: 001234-0000 in Będzin, Czeladź, Sosnowiec: the same 4-digit code in the other region.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from customers.models import Customer, MeteringPoint, Region
from ops import pagecache

# A test that makes a PDF where WeasyPrint cannot load is a skip, not a failure (but in CI): tests/environment.py.
from tests.environment import pytest_runtest_makereport, pytest_runtest_setup  # noqa: F401

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language: a request (an English cookie) leaves its language active in
    the thread, which would otherwise leak into the tests after it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_kept_pages():
    """The pages kept for visitors (ops.pagecache) and the fragments kept by {% cache %} (the footer) live in
    the process: each test's data and settings make their own."""
    pagecache.forget()
    cache.clear()
    yield
    pagecache.forget()
    cache.clear()


@pytest.fixture
def jaworzno(db):
    return Region.objects.get(slug="jaworzno")


@pytest.fixture
def bedzin(db):
    return Region.objects.get(slug="bedzin-czeladz-sosnowiec")


@pytest.fixture
def owner(jaworzno):
    return Customer.objects.create(
        region=jaworzno,
        number="001234",
        name="Spółdzielnia Mieszkaniowa „Zgoda”",
        nip="6320000068",
        street="ul. Grunwaldzka 12",
        postal_code="43-600",
        city="Jaworzno",
        email="zarzad@sm-zgoda.example",
        email_requested_on=datetime.date(2026, 10, 1),
    )


@pytest.fixture
def sibling(jaworzno):
    return Customer.objects.create(region=jaworzno, number="001234", sub_code="0001", name="SM „Zgoda” — budynek B")


@pytest.fixture
def stranger(bedzin):
    return Customer.objects.create(region=bedzin, number="001234", name="Wspólnota Mieszkaniowa Małachowskiego 3")


@pytest.fixture
def point(owner):
    return MeteringPoint.objects.create(
        region=owner.region,
        identifier="W-0123",
        customer=owner,
        address="ul. Grunwaldzka 12, Jaworzno",
        tariff_group="A1",
        ordered_power_mw=Decimal("0.2500"),
    )


def log_in_staff(client, user):
    """A client logged in to the admin as `user`, past both steps: password and an enrolled authenticator app."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.middleware import LOGIN_AT, SEEN_AT

    device = TOTPDevice.objects.create(user=user, name="eBOK", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LOGIN_AT] = session[SEEN_AT] = time.time()
    session.save()
    return client


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("bok", "bok@example.com", "staff password 1")


@pytest.fixture
def staff_client(client, staff_user):
    """A client logged in to the admin as a superuser (staff of the customer service office)."""
    return log_in_staff(client, staff_user)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the second factor as well."""
    return log_in_staff(client, admin_user)


def log_in(client, customer):
    """A client logged in as `customer`, the way every customer page test starts."""
    import time

    from accounts.middleware import LOGIN_AT, SEEN_AT
    from accounts.models import User

    client.force_login(User.objects.for_customer(customer))
    session = client.session  # as the login view leaves it, so pages write no session on first use
    session[LOGIN_AT] = session[SEEN_AT] = time.time()
    session.save()
    return client


@pytest.fixture
def owner_client(client, owner):
    return log_in(client, owner)


@pytest.fixture
def run_worker(monkeypatch):
    """Run the real `db_worker` until the queue is empty, inside the test's transaction.

    The worker closes stale connections between tasks, which would close the test's own connection
    on PostgreSQL; inside a test there is nothing stale to close.
    """
    from django.core.management import call_command

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def committed_regions(django_db_blocker):
    """A transactional test ends by emptying every table; put back the regions the migrations seed.
    Requested before `transactional_db` (or `live_server`), so that this runs after its flush; it
    also seeds them first, for a test that follows another's flush."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("customers.migrations.0006_region_case_prefix").seed
    with django_db_blocker.unblock():
        seed(apps, None)
    yield
    with django_db_blocker.unblock():
        seed(apps, None)


def without_csrf_token(html):
    """A page as every visitor sees it: the CSRF token (of the language switch, say) is masked afresh for
    every response, so it is left out when two answers are compared."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


def text_of(html, tag):
    """The text of the first `tag` element of a page as a reader sees it: markup such as <wbr> and <span> left out."""
    inner = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", inner).split())


def page_text(html):
    """A page's text as a reader sees it: inline markup (<span>, <a>, <wbr>, <strong>) left out, other tags
    as spaces, runs of spaces, tabs and newlines as one space (non-breaking spaces kept)."""
    text = re.sub(r"</?(?:span|a|wbr|strong|em|abbr)\b[^>]*>", "", html)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


@pytest.fixture
def owner_user(owner):
    """The owner's login, with PASSWORD as the customer's own password."""
    from accounts.models import User

    user = User.objects.for_customer(owner)
    user.set_password(PASSWORD)
    user.save()
    return user
