"""The product's URLs plus two yardsticks of bench/http_bench.py, each an HTML page of <bytes> bytes:

- /bench/bare/<bytes>/: a bare Django view, the issue's yardstick: the same gunicorn and middleware, a
  template rendered by the same engine, but no session read, no query and no logic.
- /bench/layout/<bytes>/: the portal's layout (base.html: header, language switch with its CSRF token,
  footer) around a filler, still without a session or a query: what every page pays for its frame.
- /bench/session/<bytes>/: the bare view behind the customers' login check (`customer_required`: the session
  read, the user with its customer, the session's time-outs), nothing else: the floor of every logged-in page.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from accounts.decorators import customer_required

BARE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1><p>{{ filler }}</p></main></body></html>"
)
_SHELL = len(BARE.render({"title": "Bare", "filler": ""}).encode())


def bare(request, size):
    return HttpResponse(BARE.render({"title": "Bare", "filler": "x" * max(0, size - _SHELL)}))


LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1><p>{{ filler }}</p>{% endblock %}'
)


_LAYOUT_SHELL = []  # its size without the filler, measured on the first request (it needs one)


def layout(request, size):
    if not _LAYOUT_SHELL:
        _LAYOUT_SHELL.append(len(LAYOUT.render({"title": "Bare", "filler": ""}, request).encode()))
    empty = _LAYOUT_SHELL[0]
    return HttpResponse(LAYOUT.render({"title": "Bare", "filler": "x" * max(0, size - empty)}, request))


session = customer_required(bare)

urlpatterns = [
    path("bench/bare/<int:size>/", bare),
    path("bench/session/<int:size>/", session),
    path("bench/layout/<int:size>/", layout),
    path("", include("ebok.urls")),
]
