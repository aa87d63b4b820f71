"""/healthz for load balancers and monitoring, /metrics for Prometheus (docs/operations.md)."""

import datetime
import ipaddress
import logging
import sys
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from ops import heartbeat, metrics
from ops.db_router import REPLICA

logger = logging.getLogger("ebok.ops")

# The storage probe writes and deletes a file: on S3 (STORAGE_BUCKET) two billed requests. A load balancer
# asking every few seconds would make that thousands a day per instance, so each process probes at most this
# often and answers with its last result in between (docs/operations.md).
STORAGE_PROBE_EVERY = datetime.timedelta(seconds=30)
_storage_probed = None  # (when, "ok" or "error") of this process's last storage probe


@never_cache
@require_safe
def healthz(request):
    """200 when the database (and the replica, if there is one) answers and stored files can be written, else
    503; with the worker's heartbeat age and the task queue. A stale heartbeat does not make it 503
    (docs/operations.md says why)."""
    now = timezone.now()
    body = {"database": "ok", "storage": _storage(now), "worker": None, "queue": None}
    if (replica := _replica()) is not None:
        body["replica"] = replica
    try:
        age = heartbeat.age(now)
        body["queue"] = heartbeat.queue_length(now)
    except DatabaseError:
        logger.exception("healthz: the database did not answer")
        body["database"] = "error"
    else:
        stale = age is None or age > heartbeat.STALE_AFTER
        body["worker"] = {"heartbeat_age_seconds": None if age is None else round(age, 1), "stale": stale}
    healthy = body["database"] == body["storage"] == body.get("replica", "ok") == "ok"
    body = {"status": "ok" if healthy else "error", **body}
    return JsonResponse(body, status=200 if healthy else 503)


def _replica():
    """Whether the read replica (DATABASE_REPLICA_URL) answers, as the customer pages read from it; None when
    there is none."""
    if REPLICA not in connections:
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("healthz: the replica database did not answer")
        return "error"
    return "ok"


def _storage(now):
    """This process's last storage probe when it is younger than STORAGE_PROBE_EVERY, else a new one."""
    global _storage_probed
    if _storage_probed is None or now - _storage_probed[0] >= STORAGE_PROBE_EVERY or now < _storage_probed[0]:
        _storage_probed = (now, _probe_storage())
    return _storage_probed[1]


def _probe_storage():
    """Write and delete a small file through the storage the invoices' PDFs go to."""
    try:
        name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok\n"))
        default_storage.delete(name)
    except Exception:  # any backend's failure (a full disk, a refused bucket) is the answer, not a crash
        logger.exception("healthz: stored files cannot be written")
        return "error"
    return "ok"


def may_scrape(request):
    """Only straight from an allowed network (METRICS_ALLOWED_IPS), never through the public proxy: a request
    nginx passed on carries X-Forwarded-For (or X-Real-IP, Forwarded), and is refused whatever its address."""
    if any(header in request.META for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    networks = (ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_IPS)
    return any(address in network for network in networks)


@never_cache
@require_safe
def metrics_view(request):
    if not may_scrape(request):
        raise Http404  # as if there were no such address
    body, content_type = metrics.exposition(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)


# The database's own failures (down, restarting, out of connections): a 503 with Retry-After tells monitoring,
# proxies and browsers that eBOK will answer again in a moment, which a 500 (a fault of the code) does not.
DATABASE_RETRY_AFTER = 30


@requires_csrf_token
def server_error(request):
    """handler500: Django's 500 page, or a 503 while the database does not answer (bench/faults.py: PostgreSQL
    restarted under load). Rendered without the request's context, as Django's own: it may be what failed."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)
