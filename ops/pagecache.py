"""The pages of the way in, kept rendered for visitors who are nobody yet.

The landing page and the login and password-request pages are the same for every visitor without a session:
the same regions, the same form, in the visitor's language, differing only in the CSRF token of their forms.
They are what every customer opens first (a mailing of passwords brings thousands in the same hour), and
rendering them costs several times a bare Django response, mostly the layout and the form widgets. So a
worker renders each once per language and keeps it for ``SECONDS``; every other visitor gets that copy with
its own CSRF token put in (``django.middleware.csrf.get_token``, which also sets the CSRF cookie, as
rendering would have).

What is never served from here: anything but a GET without a query string (``?sesja=wygasla`` and the like
render as usual, and a stranger's made-up queries cannot fill the memory); a browser that sends a session
cookie (it may be logged in, or have messages waiting in its session) or a messages cookie; an answer other
than a 200 of HTML, or one that sets a cookie of its own. A copy is only kept when every CSRF token in it
was found and taken out, so one visitor's token is never shown to another.

The copies live in the worker's memory, not in the shared cache: they are a few kilobytes per page and
language, rendering one again costs a few milliseconds, and a network cache would cost as much as that. The
price is that a change an administrator makes (a region's name) reaches these pages within ``SECONDS``.
"""

import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

# How stale a kept page may be: a region renamed in the admin shows on the landing page within this.
SECONDS = 60
# At most this many pages kept per worker (paths × languages; the paths are the real regions' only, since
# a 404 is never kept): a bound, not a setting.
MAX_PAGES = 200

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
PLACEHOLDER = b"\x00csrf\x00"

_pages = {}  # (path, language) → (kept until, status, headers, content with PLACEHOLDER for the tokens)
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
            _, status, headers, content = kept
            response = HttpResponse(content.replace(PLACEHOLDER, get_token(request).encode()), status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if (shared := _shareable(response)) is not None:
            with _lock:
                if len(_pages) >= MAX_PAGES:
                    for old in [k for k, v in _pages.items() if v[0] <= now] or list(_pages)[: MAX_PAGES // 2]:
                        del _pages[old]
                _pages[key] = (now + SECONDS, response.status_code, _headers(response), shared)
        return response

    return wrapper


def _may_share(request):
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES  # django.contrib.messages' cookie storage
    )


def _shareable(response):
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
    shared, found = TOKEN.subn(rb"\1" + PLACEHOLDER + rb"\3", content)
    # Every form's token must have been the kind found above; a token written any other way is not kept.
    if shared.count(b"csrfmiddlewaretoken") != found:
        return None
    return shared


def _headers(response):
    return [(name, value) for name, value in response.items() if name.lower() != "content-length"]


def forget():
    """Drop every kept page (tests; a deploy restarts the workers anyway)."""
    with _lock:
        _pages.clear()
