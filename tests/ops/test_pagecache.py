"""The pages of the way in kept for visitors without a session (ops.pagecache): served without rendering
or a query, each visitor with a CSRF token of its own, never to a browser with a session or messages, and
never older than pagecache.SECONDS."""

import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import constants
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import reverse

from ops import metrics, pagecache
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
    kept = b"".join(page for _, _, page in pagecache._pages.values())
    assert token_one[0].encode() not in kept
    assert token_two[0].encode() not in kept


def test_a_logged_in_customer_gets_its_own_page_not_the_visitors(client, owner):
    Client().get(reverse("login", args=["jaworzno"]))  # visitors' copies are kept
    Client().get(reverse("landing"))
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


FORM = '<form><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form>'


def shareable(content, **response):
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "s" * 32
    answer = HttpResponse(content, **response)
    return pagecache._shareable(answer, request)


def test_the_forms_tokens_are_taken_out_of_the_kept_copy():
    assert shareable(FORM.format(token="a" * 64)) == FORM.format(token="\x00csrf\x00").encode()


def test_a_token_in_a_field_written_otherwise_is_not_kept():
    assert shareable('<form><input value="abc" name="csrfmiddlewaretoken" type="hidden"></form>') is None


def test_a_token_left_anywhere_else_in_the_page_is_not_kept():
    token = "a" * 64
    assert shareable(f'<meta name="csrf-token" content="{token}">' + FORM.format(token=token)) is None
    assert shareable(f"<script>const secret = '{'s' * 32}';</script>") is None


def test_only_a_200_of_html_without_cookies_is_kept():
    assert shareable("<p>x</p>", status=404) is None
    assert shareable(b"%PDF-", content_type="application/pdf") is None
    with_cookie = HttpResponse("<p>x</p>")
    with_cookie.set_cookie("a", "b")
    assert pagecache._shareable(with_cookie, RequestFactory().get("/")) is None


@pytest.mark.parametrize("leaves", ["message", "session"])
def test_a_page_whose_rendering_left_state_for_its_visitor_is_not_kept(db, leaves):
    def view(request):
        if leaves == "message":
            messages.info(request, "Tylko dla pierwszego gościa.")
        else:
            request.session["seen"] = True
        return render(request, "base.html")

    kept_view = pagecache.visitor_page(view)
    request = RequestFactory().get("/")
    for middleware in (SessionMiddleware, MessageMiddleware):
        middleware(lambda request: None).process_request(request)
    kept_view(request)
    assert not pagecache._pages


def test_a_visitor_with_a_csrf_cookie_gets_a_token_of_that_cookie(db):
    Client().get(reverse("login", args=["jaworzno"]))
    returning = Client(enforce_csrf_checks=True)
    returning.get(reverse("landing"))  # has its CSRF cookie now
    secret = returning.cookies[settings.CSRF_COOKIE_NAME].value
    page = returning.get(reverse("login", args=["jaworzno"])).content.decode()
    assert returning.cookies[settings.CSRF_COOKIE_NAME].value == secret
    token = TOKEN.search(page).group(1)
    answer = returning.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302


def test_the_language_of_accept_language_has_its_own_copy(db):
    Client().get(reverse("landing"))
    page = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").get(reverse("landing")).content.decode()
    assert '<html lang="en">' in page


def test_a_head_request_is_rendered_not_served_from_the_copy(db, django_assert_num_queries):
    Client().get(reverse("landing"))
    with django_assert_num_queries(1):  # the regions, read again
        assert Client().head(reverse("landing")).status_code == 200


def test_the_kept_pages_are_bounded(db, monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_PAGES", 2)
    for url in ("landing", "login", "password_request"):
        Client().get(reverse(url, args=[] if url == "landing" else ["jaworzno"]))
        assert len(pagecache._pages) <= 2


def test_copies_and_renders_are_counted_for_the_operators(db):
    def count(answer):
        return metrics.REGISTRY.get_sample_value("ebok_visitor_pages_total", {"answer": answer}) or 0

    copies, renders = count("copy"), count("rendered")
    Client().get(reverse("landing"))
    Client().get(reverse("landing"))
    assert (count("copy") - copies, count("rendered") - renders) == (1, 1)
