"""One structured line per request: method, path without query values, status, duration, view, request id."""

import json
import logging
import re
import sys

import pytest
from django.test import override_settings

from ops.logs import JsonFormatter, TextFormatter

pytestmark = pytest.mark.django_db


def test_every_request_gets_one_line_with_the_id_the_response_carries(client, log):
    response = client.get("/jaworzno/logowanie/")
    (line,) = log.requests()
    assert line["request_id"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert (line["method"], line["path"], line["status"], line["view"]) == (
        "GET",
        "/jaworzno/logowanie/",
        200,
        "login",
    )
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0
    assert line["level"] == "INFO"
    assert "user_id" not in line


def test_query_values_are_left_out_and_their_names_kept(client, log):
    client.get("/jaworzno/logowanie/?sesja=wygasla&q=zarzad@sm-zgoda.example&zarzad@sm-zgoda.example=1")
    (line,) = log.requests()
    assert line["path"] == "/jaworzno/logowanie/"
    assert line["query_keys"] == ["?", "q", "sesja"]
    assert "wygasla" not in json.dumps(line)
    assert "zarzad" not in json.dumps(line)


def test_a_logged_in_customer_is_named_by_internal_id(owner_client, owner, log):
    owner_client.get("/pulpit/")
    (line,) = log.requests()
    assert line["user_id"] == owner.user.pk
    assert (line["view"], line["status"]) == ("dashboard", 200)


def test_unknown_addresses_and_refusals_are_logged_too(client, log):
    client.get("/nie-ma-takiej-strony/")
    client.get("/faktury/")
    lines = log.requests()
    assert [(line["status"], line["view"]) for line in lines] == [(404, "unmatched"), (302, "invoices:list")]


@override_settings(TRUSTED_PROXIES=1)
def test_the_proxys_request_id_is_kept(client, log):
    response = client.get(
        "/", HTTP_X_REQUEST_ID="4f6c2b1e9a0d4c7b8e3f2a1b0c9d8e7f", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert response["X-Request-ID"] == "4f6c2b1e9a0d4c7b8e3f2a1b0c9d8e7f"
    assert log.requests()[0]["request_id"] == "4f6c2b1e9a0d4c7b8e3f2a1b0c9d8e7f"


@override_settings(TRUSTED_PROXIES=1)
def test_a_malformed_request_id_is_replaced(client, log):
    response = client.get("/", HTTP_X_REQUEST_ID='x" injected\nline')
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_without_a_proxy_the_clients_request_id_is_not_taken(client):
    response = client.get("/", HTTP_X_REQUEST_ID="4f6c2b1e9a0d4c7b8e3f2a1b0c9d8e7f")
    assert response["X-Request-ID"] != "4f6c2b1e9a0d4c7b8e3f2a1b0c9d8e7f"


def test_a_line_with_an_error_stays_one_line():
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        record = logging.LogRecord("ebok", logging.ERROR, __file__, 1, "failed %s", ("x",), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "failed x"
    assert "ValueError: broken\nacross lines" in parsed["exception"]


def test_the_development_format_is_key_value_text():
    record = logging.LogRecord("ebok.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.ebok = {"status": 200, "path": "/"}
    assert TextFormatter().format(record).endswith('INFO ebok.request GET / 200 status=200 path="/"')
