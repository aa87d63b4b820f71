"""Metrics in Prometheus's text format, served by ops.views.metrics to the monitoring network only.

Counters and the duration histogram are counted by each process; under gunicorn with several workers,
prometheus_client's multiprocess mode keeps them in files under PROMETHEUS_MULTIPROC_DIR (set in the web
service's environment, emptied at its start) and a scrape adds up all processes' files, so any worker that
answers the scrape reports the whole instance. Without that variable (runserver, tests) they live in this
process. The state of the system (outboxes, task queue, heartbeat) is read from the database at each scrape,
so it is the same whichever process answers. The names are listed in docs/operations.md.
"""

import logging
import os

from django.db import DatabaseError
from django.db.models import Count
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("ebok.ops")

# This process's counters. Not the library's global registry: in multiprocess mode a scrape reads the files
# of every process instead, and nothing is registered twice when the tests import this module again.
REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "ebok_http_requests", "Requests answered, by view, method and status class (2xx…5xx).",
    ["view", "method", "status"], registry=REGISTRY,
)  # fmt: skip
DURATION = Histogram(
    "ebok_http_request_duration_seconds", "Time from the request to the response, by view.", ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=REGISTRY,
)  # fmt: skip
THROTTLE_REFUSALS = Counter(
    "ebok_throttle_refusals", "Requests refused by a limit of accounts/limits.py (429), by view.", ["view"],
    registry=REGISTRY,
)  # fmt: skip
LOGIN_FAILURES = Counter(
    "ebok_login_failures", "Failed logins: customer (code or password), staff_password, staff_code (2FA).",
    ["kind"], registry=REGISTRY,
)  # fmt: skip
SECURITY_EVENTS = Counter(
    "ebok_security_events", "Security events logged by ops.events, by event.", ["event"], registry=REGISTRY
)
VISITOR_PAGES = Counter(
    "ebok_visitor_pages", "Pages of the way in for visitors without a session (ops.pagecache): kept copy or rendered.",
    ["answer"], registry=REGISTRY,
)  # fmt: skip

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(view, method, status, seconds):
    REQUESTS.labels(view, method if method in METHODS else "other", f"{status // 100}xx").inc()
    DURATION.labels(view).observe(seconds)
    if status == 429:
        THROTTLE_REFUSALS.labels(view).inc()


class StateCollector:
    """Gauges read from the database at each scrape: four queries, none growing with the customers."""

    def collect(self):
        from accounts.models import EmailDelivery
        from invoices.models import EinvoiceDelivery
        from ops import heartbeat
        from outages.models import OutageNotice

        up = GaugeMetricFamily("ebok_database_up", "1 when the database answered this scrape's queries.")
        try:
            age = heartbeat.age()
            queue = heartbeat.queue_length()
            portal = EmailDelivery.objects.order_by().values_list("status").annotate(n=Count("pk"))
            einvoice = EinvoiceDelivery.objects.order_by().values_list("state").annotate(n=Count("pk"))
            outage = OutageNotice.objects.order_by().values_list("state").annotate(n=Count("pk"))
            outbox = (
                [("portal", *row) for row in portal]
                + [("einvoice", *row) for row in einvoice]
                + [("outage", *row) for row in outage]
            )
        except DatabaseError:
            logger.exception("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        gauge = GaugeMetricFamily(
            "ebok_worker_heartbeat_age_seconds", "Seconds since the background worker's last heartbeat (NaN: never)."
        )
        gauge.add_metric([], float("nan") if age is None else age)
        yield gauge
        gauge = GaugeMetricFamily(
            "ebok_task_queue_length", "Tasks waiting for the worker: due now, or scheduled later.", labels=["state"]
        )
        for state, count in queue.items():
            gauge.add_metric([state], count)
        yield gauge
        gauge = GaugeMetricFamily(
            "ebok_email_outbox",
            "E-mails by status: the portal (accounts), einvoice and outage outboxes.",
            labels=["outbox", "status"],
        )
        for box, status, count in outbox:
            gauge.add_metric([box, status], count)
        yield gauge


def exposition(accept=""):
    """What a scrape gets, and its content type: every process's counters (or this one's) and the database's
    state, in the format the scraper's Accept header asks for (Prometheus's text format, or OpenMetrics)."""
    registry = CollectorRegistry()
    if path := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(REGISTRY)
    registry.register(StateCollector())
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
