"""DATABASE_REPLICA_URL in ebok/settings.py: a second database, the router and its middleware; unset, nothing."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import ebok

SETTINGS = Path(ebok.__file__).parent / "settings.py"
PRIMARY = "postgres://ebok@db1.example:5432/ebok"
REPLICA = "postgres://ebok_read@db2.example:5432/ebok"


def read_settings(monkeypatch, **environment):
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REPLICA_PIN_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_without_a_replica_there_is_one_database_and_no_router(monkeypatch):
    settings = read_settings(monkeypatch, DATABASE_URL=PRIMARY)
    assert list(settings["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in settings
    assert "ops.db_router.ReplicaReadsMiddleware" not in settings["MIDDLEWARE"]


def test_a_replica_adds_its_database_the_router_and_the_marker_after_the_sessions(monkeypatch):
    settings = read_settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    replica = settings["DATABASES"]["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("db2.example", "ebok_read", "ebok")
    assert replica["TEST"] == {"MIRROR": "default"}
    assert settings["DATABASE_ROUTERS"] == ["ops.db_router.PrimaryReplicaRouter"]
    middleware = settings["MIDDLEWARE"]
    sessions = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware[sessions + 1] == "ops.db_router.ReplicaReadsMiddleware"
    assert settings["REPLICA_PIN_SECONDS"] == 10


def test_the_pin_after_a_write_can_be_set(monkeypatch):
    settings = read_settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, REPLICA_PIN_SECONDS="3")
    assert settings["REPLICA_PIN_SECONDS"] == 3


def test_a_replica_of_sqlite_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL"):
        read_settings(monkeypatch, DATABASE_REPLICA_URL=REPLICA)
