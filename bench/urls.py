"""The product's URLs plus /bench/bare/<bytes>/: a bare Django view rendering an HTML page of that size.

The yardstick of bench/http_bench.py: the same gunicorn, the same middleware, a template rendered by
the same engine, but no session read, no query and no logic; only the page's size is matched.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

BARE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1><p>{{ filler }}</p></main></body></html>"
)
_SHELL = len(BARE.render({"title": "Bare", "filler": ""}).encode())


def bare(request, size):
    return HttpResponse(BARE.render({"title": "Bare", "filler": "x" * max(0, size - _SHELL)}))


urlpatterns = [
    path("bench/bare/<int:size>/", bare),
    path("", include("ebok.urls")),
]
