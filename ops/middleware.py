"""One log line and the metrics of every request, with a request id the response carries back."""

import logging
import re
import time
import uuid

from django.conf import settings

from ops import logs, metrics
from ops.events import logged_in_user

logger = logging.getLogger("ebok.request")

# nginx's $request_id is 32 hexadecimal digits; other proxies' ids are alike. Anything else is replaced, so a
# header cannot write into the log.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
QUERY_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def request_id_of(request):
    """The proxy's X-Request-ID (behind TRUSTED_PROXIES, which set it anew for every request) if well formed,
    else a new one. Without a proxy the header is the client's own, so it is not taken."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if settings.TRUSTED_PROXIES and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def query_keys(request):
    """The names of the query's parameters without their values (a value may be a search for a name or an
    address); a name that does not look like one of the portal's parameters shows as "?"."""
    return sorted({key if QUERY_KEY.fullmatch(key) else "?" for key in request.GET})


def view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unmatched"


def request_log(get_response):
    """First in MIDDLEWARE: it sees every answer, redirects to HTTPS and 429s included."""

    def middleware(request):
        started = time.perf_counter()
        token = logs.request_id.set(request_id_of(request))
        try:
            response = get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = logs.request_id.get()
            view = view_name(request)
            metrics.observe_request(view, request.method, response.status_code, seconds)
            fields = {
                "request_id": logs.request_id.get(),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "view": view,
            }
            if request.GET:
                fields["query_keys"] = query_keys(request)
            if user := logged_in_user(request):
                fields["user_id"] = user.pk
            level = logging.WARNING if response.status_code >= 500 else logging.INFO  # Django mails the errors
            logger.log(level, "%s %s %s", request.method, request.path, response.status_code, extra={"ebok": fields})
            return response
        finally:
            logs.request_id.reset(token)

    return middleware
