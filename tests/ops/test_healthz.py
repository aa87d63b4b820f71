"""/healthz: 200 when the database answers and files can be stored, 503 otherwise; heartbeat age and queue."""

import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.test import override_settings

from ops import heartbeat, views

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_storage_probe_yet(monkeypatch):
    """Each test starts in a process that has not probed the storage yet (the result is kept 30 s)."""
    monkeypatch.setattr(views, "_storage_probed", None)


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


def test_without_a_replica_the_answer_has_no_replica_key(client, media):
    assert views._replica() is None
    assert "replica" not in client.get("/healthz").json()


def test_with_a_replica_that_answers_it_reports_ok(client, media, monkeypatch):
    monkeypatch.setattr(views, "_replica", lambda: "ok")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["replica"] == "ok"


def test_a_dead_replica_makes_it_503(client, media, monkeypatch):
    monkeypatch.setattr(views, "_replica", lambda: "error")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error", "database": "ok", "storage": "ok", "worker": {"heartbeat_age_seconds": None, "stale": True},
        "queue": {"due": 0, "scheduled": 0}, "replica": "error",
    }  # fmt: skip


def test_the_replica_probe_asks_the_replica_connection(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(views, "connections", {"default": connection, "replica": connection})
    with django_assert_num_queries(1) as queries:
        assert views._replica() == "ok"
    assert queries.captured_queries[0]["sql"] == "SELECT 1"


def test_the_replica_probe_reports_a_refused_connection_without_its_details(monkeypatch, caplog):
    class Refused:
        def cursor(self):
            raise OperationalError("connection to server at 10.0.0.3 failed")

    monkeypatch.setattr(views, "connections", {"default": connection, "replica": Refused()})
    assert views._replica() == "error"
    assert "the replica database did not answer" in caplog.text


def test_the_storage_is_probed_at_most_once_in_30_seconds(client, media, monkeypatch):
    saved = []
    original = default_storage.save
    monkeypatch.setattr(default_storage, "save", lambda name, content: saved.append(name) or original(name, content))
    with time_machine.travel(START, tick=False) as clock:
        client.get("/healthz")
        clock.shift(datetime.timedelta(seconds=29))
        assert client.get("/healthz").json()["storage"] == "ok"
        assert len(saved) == 1
        clock.shift(datetime.timedelta(seconds=1))
        client.get("/healthz")
    assert len(saved) == 2


def test_a_storage_failure_is_kept_for_30_seconds_then_probed_again(client, tmp_path, settings):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    with time_machine.travel(START, tick=False) as clock:
        assert client.get("/healthz").status_code == 503
        settings.MEDIA_ROOT = tmp_path / "media"  # the disk is mended
        clock.shift(datetime.timedelta(seconds=29))
        assert client.get("/healthz").status_code == 503
        clock.shift(datetime.timedelta(seconds=1))
        assert client.get("/healthz").status_code == 200
