"""/healthz: 200 when the database answers and files can be stored, 503 otherwise; heartbeat age and queue."""

import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.test import override_settings

from ops import heartbeat

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_it_answers_200_with_the_checks(client, media, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "worker": {"heartbeat_age_seconds": None, "stale": True},
        "queue": {"due": 0, "scheduled": 0},
    }


def test_it_is_never_cached_and_leaves_no_file_behind(client, media):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert list(media.rglob("*.txt")) == []


def test_it_reports_the_heartbeat_age_and_the_queue(client, media, run_worker, owner):
    from accounts import emails

    with time_machine.travel(START, tick=False) as clock:
        heartbeat.schedule()
        run_worker()
        emails.password_changed(customer=owner)  # waiting for the worker
        clock.shift(datetime.timedelta(seconds=30))
        body = client.get("/healthz").json()
    assert body["worker"] == {"heartbeat_age_seconds": 30.0, "stale": False}
    assert body["queue"] == {"due": 1, "scheduled": 0}
    assert owner.email not in str(body)


def test_a_stale_heartbeat_is_reported_but_keeps_200(client, media, run_worker):
    with time_machine.travel(START, tick=False) as clock:
        heartbeat.schedule()
        run_worker()
        clock.shift(datetime.timedelta(seconds=heartbeat.STALE_AFTER + 1))
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["stale"] is True


def test_it_answers_503_when_files_cannot_be_stored(client, tmp_path, settings):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["storage"] == "error"
    assert response.json()["database"] == "ok"


def test_it_answers_503_when_the_database_does_not(client, media, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.2 failed: password authentication failed")

    monkeypatch.setattr(heartbeat, "age", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error", "database": "error", "storage": "ok", "worker": None, "queue": None
    }  # fmt: skip
    assert "10.0.0.2" not in response.content.decode()


def test_it_is_not_throttled(client, media):
    assert {client.get("/healthz", REMOTE_ADDR="10.0.0.1").status_code for _ in range(100)} == {200}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_monitoring_may_ask_over_plain_http_on_the_private_port(client, media):
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_it_uses_the_configured_storage(client, media, monkeypatch):
    saved = []
    original = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda name, content: saved.append(name) or original(name, content))
    client.get("/healthz")
    assert saved
    assert saved[0].startswith("healthz/")
