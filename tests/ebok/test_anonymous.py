"""A test that walks every URL pattern anonymously: customer pages redirect to the way in or are 404."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may see.
PUBLIC = {
    "landing",
    "privacy",
    "terms",
    "accessibility",
    "contact",
    "documents",
    "login",
    "password_request",
    "password_request_sent",
    "public",  # Awarie i wyłączenia, its Atom feed and its calendar
    "atom",
    "calendar",
    "healthz",  # for monitoring: no secrets, no customer data (tests/ops/test_healthz.py)
    "metrics",  # answers the test client's 127.0.0.1 only: METRICS_ALLOWED_IPS (tests/ops/test_metrics.py)
}
SAMPLE = {"slug": "jaworzno", "uuid": str(uuid.uuid4()), "int": "1", "str": "x", "path": "x"}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # the admin has its own login, tested in tests/ebok/test_admin.py
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name, prefix + str(pattern.pattern)


def concrete(route):
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m[1] or "str"], route)
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def test_the_walk_finds_the_customer_pages():
    names = {name for name, _ in ROUTES}
    assert {"dashboard", "account", "set_password", "logout"} <= names


@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_every_url_needs_a_logged_in_customer(client, db, name, route):
    url = concrete(route)
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code == 200, url
    elif name in ("logout", "set_language"):  # POST only; the language switch is for anyone
        assert response.status_code == 405
    else:
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"] in ("/", "/jaworzno/logowanie/"), url
