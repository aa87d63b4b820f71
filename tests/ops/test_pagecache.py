"""The pages of the way in kept for visitors without a session (ops.pagecache): served without rendering
or a query, each visitor with a CSRF token of its own, never to a browser with a session or messages, and
never older than pagecache.SECONDS."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from ops import pagecache
from tests.conftest import log_in

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

PAGES = [
    pytest.param(lambda: reverse("landing"), id="landing"),
    pytest.param(lambda: reverse("login", args=["jaworzno"]), id="login"),
    pytest.param(lambda: reverse("password_request", args=["jaworzno"]), id="password-request"),
]


@pytest.fixture
def visitor():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("url", PAGES)
def test_the_second_visitor_gets_the_kept_page_without_a_query(db, url, django_assert_num_queries):
    first = Client().get(url())
    with django_assert_num_queries(0):
        second = Client().get(url())
    assert second.status_code == 200
    assert TOKEN.sub("", second.content.decode()) == TOKEN.sub("", first.content.decode())
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize("url", PAGES)
def test_each_visitor_gets_a_token_of_its_own_that_the_forms_accept(db, url):
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one, page_two = one.get(url()).content.decode(), two.get(url()).content.decode()
    token_one, token_two = TOKEN.findall(page_one), TOKEN.findall(page_two)
    assert token_one
    assert len(token_one) == len(token_two)
    assert len(set(token_two)) == 1  # one token per page, in every form
    secret_one, secret_two = one.cookies[settings.CSRF_COOKIE_NAME].value, two.cookies[settings.CSRF_COOKIE_NAME].value
    assert secret_one != secret_two  # the kept page gave the second visitor a cookie of its own
    switch = {"language": "en", "next": url()}
    assert two.post(reverse("set_language"), {**switch, "csrfmiddlewaretoken": token_two[0]}).status_code == 302
    # The first visitor's token is not the second's: it is refused with the second's cookie.
    assert two.post(reverse("set_language"), {**switch, "csrfmiddlewaretoken": token_one[0]}).status_code == 403
    kept = b"".join(page for _, _, _, page in pagecache._pages.values())
    assert token_one[0].encode() not in kept
    assert token_two[0].encode() not in kept


def test_a_logged_in_customer_gets_its_own_page_not_the_visitors(client, owner):
    Client().get(reverse("login", args=["jaworzno"]))  # a visitor's copy is kept
    log_in(client, owner)
    page = client.get(reverse("login", args=["jaworzno"])).content.decode()
    assert reverse("dashboard") in page
    assert 'name="password"' not in page
    landing = client.get(reverse("landing")).content.decode()
    assert reverse("logout") in landing


def test_a_query_string_renders_the_page_for_it(db):
    Client().get(reverse("login", args=["jaworzno"]))
    page = Client().get(reverse("login", args=["jaworzno"]) + "?sesja=wygasla").content.decode()
    assert "Sesja wygasła" in page
    # and a made-up query is neither served a copy nor kept
    assert len(pagecache._pages) == 1


def test_waiting_messages_are_shown_not_a_copy_without_them(db):
    Client().get(reverse("landing"))
    storage = CookieStorage(RequestFactory().get("/"))
    visitor = Client()
    visitor.cookies[storage.cookie_name] = storage._encode([Message(constants.INFO, "Wylogowano z eBOK.")])
    assert "Wylogowano z eBOK." in visitor.get(reverse("landing")).content.decode()


def test_each_language_has_its_own_copy(db):
    assert 'lang="pl"' in Client().get(reverse("landing")).content.decode()
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(reverse("landing")).content.decode()
    assert '<html lang="en">' in page
    assert 'lang="pl"' in Client().get(reverse("landing")).content.decode()


def test_a_change_in_the_admin_shows_within_the_kept_time(jaworzno, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now[0])
    Client().get(reverse("landing"))
    jaworzno.towns = "Jaworzno i Byczyna"
    jaworzno.save()
    now[0] += pagecache.SECONDS - 1
    assert "Jaworzno i Byczyna" not in Client().get(reverse("landing")).content.decode()
    now[0] += 1
    assert "Jaworzno i Byczyna" in Client().get(reverse("landing")).content.decode()


def test_a_post_is_never_answered_from_the_copy(db):
    Client().get(reverse("login", args=["jaworzno"]))
    form = {"odbiorca": "9999", "pododbiorca": "0000", "password": "wrong password"}
    answer = Client().post(reverse("login", args=["jaworzno"]), form)
    assert "Nieprawidłowy kod odbiorcy lub hasło." in answer.content.decode()


def test_an_unknown_region_is_not_kept(db):
    assert Client().get(reverse("login", args=["nie-ma-takiego"])).status_code == 404
    assert not pagecache._pages


def test_the_login_page_is_still_never_cached_by_browsers(db):
    Client().get(reverse("login", args=["jaworzno"]))
    answer = Client().get(reverse("login", args=["jaworzno"]))
    assert "no-store" in answer["Cache-Control"]
    assert "Cookie" in answer["Vary"]


def test_a_page_whose_token_is_written_otherwise_is_not_kept():
    from django.http import HttpResponse

    found = HttpResponse('<form><input type="hidden" name="csrfmiddlewaretoken" value="abc"></form>')
    assert (
        pagecache._shareable(found)
        == b'<form><input type="hidden" name="csrfmiddlewaretoken" value="\x00csrf\x00"></form>'
    )
    other = HttpResponse('<form><input value="abc" name="csrfmiddlewaretoken" type="hidden"></form>')
    assert pagecache._shareable(other) is None
    assert pagecache._shareable(HttpResponse("<p>x</p>", status=404)) is None
    with_cookie = HttpResponse("<p>x</p>")
    with_cookie.set_cookie("a", "b")
    assert pagecache._shareable(with_cookie) is None
    assert pagecache._shareable(HttpResponse(b"%PDF-", content_type="application/pdf")) is None


def test_the_kept_pages_are_bounded(db, monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_PAGES", 2)
    for url in ("landing", "login", "password_request"):
        Client().get(reverse(url, args=[] if url == "landing" else ["jaworzno"]))
        assert len(pagecache._pages) <= 2
