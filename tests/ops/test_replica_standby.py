"""Past one database server (issue 13, point 7), on a real streaming standby: bench/replica.sh starts a primary
(127.0.0.1:5434) and a standby made by pg_basebackup (:5435); eBOK runs in gunicorn with DATABASE_URL on the
primary and DATABASE_REPLICA_URL on the standby. Both servers log every statement: which one answered a page's
queries is read from their logs. Needs root and PostgreSQL's server tools (as CI has); skipped otherwise.
"""

import datetime
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.ops.instances import ROOT, Browser, Instance, environment

PRIMARY = "postgres://postgres@127.0.0.1:5434/ebok_replica_test"
STANDBY = "postgres://postgres@127.0.0.1:5435/ebok_replica_test"
LOGS = Path("/var/log/postgresql")

pytestmark = pytest.mark.skipif(
    not (shutil.which("pg_createcluster") and shutil.which("pg_basebackup") and os.geteuid() == 0),
    reason="needs root and PostgreSQL's server tools (pg_createcluster, pg_basebackup) to start a standby",
)

SETUP = f"""
import datetime
from accounts.models import User
from customers.models import Customer, Region
from tests.invoices.conftest import make_invoice
customer = Customer.objects.create(
    region=Region.objects.get(slug="jaworzno"), number="001234", name="Odbiorca z repliki",
    email="odbiorca@example.pl", email_requested_on=datetime.date(2026, 10, 1),
)
user = User.objects.for_customer(customer)
user.set_password({PASSWORD!r})
user.save()
make_invoice(customer, "FV/2026/10/4242")
"""


def replica_sh(command):
    return subprocess.run(["bash", str(ROOT / "bench" / "replica.sh"), command], check=True, timeout=300)


def sql(port, statement, params=None, database="ebok_replica_test"):
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=database, autocommit=True) as db:
        cursor = db.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


class ServerLog:
    """What one cluster logged from now on."""

    def __init__(self, cluster):
        self.path = LOGS / f"postgresql-{version()}-{cluster}.log"
        self.start = self.path.stat().st_size

    def since(self):
        time.sleep(0.3)  # the server writes its log line as the statement starts; let it reach the file
        with open(self.path, "rb") as log:
            log.seek(self.start)
            return log.read().decode(errors="replace")


def version():
    return sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    existed = Path(f"/etc/postgresql/{version()}/ebok_primary").exists()
    replica_sh("up")
    sql(5434, "DROP DATABASE IF EXISTS ebok_replica_test WITH (FORCE)", database="postgres")
    sql(5434, "CREATE DATABASE ebok_replica_test", database="postgres")
    folder = tmp_path_factory.mktemp("replica")
    env = environment(folder, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=STANDBY)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300)
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, timeout=120)
    instance = Instance("replica", env, folder).wait_until_up()
    browser = Browser()
    answer = browser.post(instance, "/jaworzno/logowanie/", {"odbiorca": "1234", "password": PASSWORD})
    assert (answer.status, answer.headers["Location"]) == (302, "/pulpit/"), instance.output()
    yield instance, browser
    instance.stop()
    sql(5434, "DROP DATABASE IF EXISTS ebok_replica_test WITH (FORCE)", database="postgres")
    if not existed:
        replica_sh("down")


def test_the_standby_streams_from_the_primary(portal):
    assert sql(5434, "select state from pg_stat_replication") == [("streaming",)]
    assert sql(5435, "select pg_is_in_recovery()") == [(True,)]
    assert sql(5434, "select pg_is_in_recovery()") == [(False,)]


def test_a_customer_page_reads_from_the_standby(portal):
    instance, browser = portal
    primary, standby = ServerLog("ebok_primary"), ServerLog("ebok_standby")
    page = browser.get(instance, "/faktury/")
    assert page.status == 200
    assert "FV/2026/10/4242" in page.text
    assert 'FROM "invoices_invoice"' in standby.since()
    primary_log = primary.since()
    assert 'FROM "invoices_invoice"' not in primary_log
    assert 'FROM "django_session"' in primary_log  # the session (and the login behind it) is the primary's


def test_a_write_goes_to_the_primary_and_the_session_then_reads_there(portal):
    instance, browser = portal
    primary, standby = ServerLog("ebok_primary"), ServerLog("ebok_standby")
    page = browser.get(instance, "/konto/")
    from customers import consent

    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    data = {"csrfmiddlewaretoken": token, "action": "granted", "text_version": consent.CURRENT_VERSION, "accept": "on"}
    assert browser.request(instance, "/konto/e-faktura/", data).status == 302
    assert browser.get(instance, "/faktury/").status == 200  # within REPLICA_PIN_SECONDS of the write
    primary_log, standby_log = primary.since(), standby.since()
    assert 'INSERT INTO "customers_einvoiceconsent"' in primary_log
    assert 'FROM "invoices_invoice"' in primary_log
    assert "invoices_invoice" not in standby_log
    assert sql(5435, "select count(*) from customers_einvoiceconsent") == [(1,)]  # streamed to the standby


def test_the_standby_lags_the_primary_by_well_under_a_second(portal):
    """The replica lag measured here is the one docs/scaling.md states."""
    sql(5434, "CREATE TABLE IF NOT EXISTS lag_probe (at timestamptz)")
    lags = []
    for _ in range(20):
        written = datetime.datetime.now(datetime.UTC)
        sql(5434, "INSERT INTO lag_probe VALUES (%s)", [written])
        started = time.perf_counter()
        while not sql(5435, "SELECT 1 FROM lag_probe WHERE at = %s", [written]):
            assert time.perf_counter() - started < 5, "the standby is more than 5 s behind"
            time.sleep(0.001)
        lags.append(time.perf_counter() - started)
    lags.sort()
    print(f"replica lag over 20 commits: median {lags[10] * 1000:.1f} ms, max {lags[-1] * 1000:.1f} ms")
    assert lags[10] < 1
