"""The pages of the way in, kept rendered for visitors who are nobody yet.

The landing page and the login and password-request pages are the same for every visitor without a session:
the same regions, the same form, in the visitor's language, differing only in the CSRF token of their forms.
They are what every customer opens first (a mailing of passwords brings thousands in the same hour), and
rendering them costs several times a bare Django response, mostly the layout and the form widgets. So a
worker renders each once per language and keeps it for ``SECONDS``; every other visitor gets that copy with
its own CSRF token put in (``django.middleware.csrf.get_token``, which also sets the CSRF cookie, as
rendering would have). docs/benchmarks.md has the figures.

What is never served from here: anything but a GET without a query string (``?sesja=wygasla`` and the like
render as usual, and a stranger's made-up queries cannot fill the memory); a browser that sends a session
cookie (it may be logged in, or have messages waiting in its session) or a messages cookie. What is never
kept: an answer other than a 200 of HTML; one for which the view set a cookie, wrote to the session or left
a message; one in which the visitor's CSRF token could not all be taken out: every value of the forms'
``csrfmiddlewaretoken`` fields is replaced, and the page is not kept if one of those values, or the visitor's
unmasked CSRF secret, is still anywhere in it (a token written into a ``<meta>`` or a script).

The copies live in the worker's memory, not in the shared cache: they are a few kilobytes per page and
language, rendering one again costs a few milliseconds, and a network cache would cost as much as that. The
price is that a change an administrator makes (a region renamed, added or removed) reaches these pages within
``SECONDS``.

The decorator goes right around the view, inside ``never_cache`` and ``sensitive_post_parameters``: the
headers it keeps are the view's own, and ``never_cache``'s ``Expires`` must be of each answer's time.
"""

import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from ops import metrics

# How stale a kept page may be: a region renamed in the admin shows on the landing page within this.
SECONDS = 60
# At most this many pages kept per worker. What is kept is (1 landing page + 2 pages per region) × languages:
# 10 copies of 3.5-4 kB with the 2 regions and 2 languages of today; a 404 (an unknown region) is never kept.
# 200 leaves room for 50 regions and is under a megabyte: a bound against a mistake, not a setting.
MAX_PAGES = 200

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
PLACEHOLDER = b"\x00csrf\x00"

_pages = {}  # (path, language) → (kept until, headers, content with PLACEHOLDER for the tokens)
_lock = threading.Lock()


def visitor_page(view):
    """Serve `view`'s GET answer to visitors without a session from a copy kept for ``SECONDS``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_share(request):
            return view(request, *args, **kwargs)
        key = (request.path, get_language())
        now = time.monotonic()
        kept = _pages.get(key)
        if kept is not None and kept[0] > now:
            _, headers, content = kept
            response = HttpResponse(content.replace(PLACEHOLDER, get_token(request).encode()))
            for name, value in headers:
                response[name] = value
            metrics.VISITOR_PAGES.labels("copy").inc()
            return response
        metrics.VISITOR_PAGES.labels("rendered").inc()
        response = view(request, *args, **kwargs)
        if _left_no_state(request) and (shared := _shareable(response, request)) is not None:
            with _lock:
                if len(_pages) >= MAX_PAGES:
                    for old in [k for k, v in _pages.items() if v[0] <= now] or list(_pages)[: MAX_PAGES // 2]:
                        del _pages[old]
                _pages[key] = (now + SECONDS, list(response.items()), shared)
        return response

    return wrapper


def _may_share(request):
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _left_no_state(request):
    """Whether rendering wrote nothing of this visitor's own: no session write, no message."""
    session = getattr(request, "session", None)
    return not (session is not None and session.modified) and not len(get_messages(request))


def _shareable(response, request):
    """The response's content with its CSRF tokens taken out, or None if it must not be kept."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return None
    content = response.content
    if PLACEHOLDER in content:
        return None
    tokens = {match.group(2) for match in TOKEN.finditer(content)}
    shared = TOKEN.sub(rb"\1" + PLACEHOLDER + rb"\3", content)
    secret = request.META.get("CSRF_COOKIE", "").encode()
    # Every form's token must have been the kind found above, and no token may be left anywhere else.
    if shared.count(b"csrfmiddlewaretoken") != len(TOKEN.findall(content)):
        return None
    if any(token in shared for token in tokens if token) or (secret and secret in shared):
        return None
    return shared


def forget():
    """Drop every kept page (tests; a deploy restarts the workers anyway)."""
    with _lock:
        _pages.clear()
