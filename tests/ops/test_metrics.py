"""/metrics: Prometheus's text format, for the monitoring network only, right with several gunicorn workers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from tests.accounts.conftest import login

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def scrape(client, **extra):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_it_refuses_other_addresses_as_if_it_did_not_exist(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404


def test_it_refuses_whatever_came_through_the_proxy(client):
    """nginx talks to the application from 127.0.0.1; a request it passed on names the client."""
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9").status_code == 404


@override_settings(METRICS_ALLOWED_IPS=["10.20.0.0/16"])
def test_the_allowed_networks_are_a_setting(client):
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_requests_are_counted_by_view_and_status_class(client):
    before = scrape(client)
    client.get("/jaworzno/logowanie/")
    client.get("/nie-ma/")
    after = scrape(client)
    for view, status in (("login", "2xx"), ("unmatched", "4xx")):
        key = {"view": view, "method": "GET", "status": status}
        assert value(after, "ebok_http_requests_total", **key) == value(before, "ebok_http_requests_total", **key) + 1
    count = "ebok_http_request_duration_seconds_count"
    assert value(after, count, view="login") == value(before, count, view="login") + 1


def test_login_failures_and_throttle_refusals_are_counted(client, owner_user):
    before = scrape(client)
    for _ in range(5):
        login(client, password="not the password", ip="10.0.0.66")
    after = scrape(client)
    failures = value(after, "ebok_login_failures_total", kind="customer") - value(
        before, "ebok_login_failures_total", kind="customer"
    )
    refusals = value(after, "ebok_throttle_refusals_total", view="login") - value(
        before, "ebok_throttle_refusals_total", view="login"
    )
    assert (failures, refusals) == (3, 2)  # three free tries, then "Odczekaj" (refused, not counted as tries)


def test_the_state_of_the_worker_queue_and_outboxes(client, owner, point, run_worker):
    from accounts import emails
    from ops import heartbeat
    from outages.services import outage_publish
    from tests.outages.conftest import make_outage

    heartbeat.schedule()
    run_worker()
    emails.password_changed(customer=owner)
    samples = scrape(client)
    assert value(samples, "ebok_email_outbox", outbox="outage", status="queued") == 0
    outage_publish(outage=make_outage(owner.region, [point]))
    outage_queued = value(scrape(client), "ebok_email_outbox", outbox="outage", status="queued")
    assert value(samples, "ebok_database_up") == 1
    assert 0 <= value(samples, "ebok_worker_heartbeat_age_seconds") < 60
    assert value(samples, "ebok_task_queue_length", state="due") == 1
    assert value(samples, "ebok_email_outbox", outbox="portal", status="queued") == 1
    assert outage_queued == 1  # the owner's notice of the outage on its point


def test_it_speaks_openmetrics_when_asked(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_ACCEPT="application/openmetrics-text")
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().endswith("# EOF\n")


def test_it_is_cheap(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # heartbeat, task queue, and the three outboxes by state
        scrape(client)


COUNT_IN_A_PROCESS = """
import sys
from ops import metrics
for _ in range(int(sys.argv[1])):
    metrics.observe_request("login", "POST", 429, 0.2)
"""


def test_the_counts_of_several_worker_processes_add_up(client, tmp_path, monkeypatch):
    """As under gunicorn with PROMETHEUS_MULTIPROC_DIR: each process counts in its own file, any one answers."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for times in (3, 4):
        subprocess.run(
            [sys.executable, "-c", COUNT_IN_A_PROCESS, str(times)], cwd=ROOT, env=env, check=True, timeout=60
        )
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape(client)
    assert value(samples, "ebok_http_requests_total", view="login", method="POST", status="4xx") == 7
    assert value(samples, "ebok_throttle_refusals_total", view="login") == 7
    assert value(samples, "ebok_http_request_duration_seconds_count", view="login") == 7
    assert value(samples, "ebok_database_up") == 1  # the database's state is read at the scrape
