"""Where stored files go (ebok/settings.py): a folder by default, an S3-compatible bucket with STORAGE_BUCKET.

The settings module is read afresh with the environment each test gives it; nothing here reaches a network.
"""

import importlib.util
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import ebok

SETTINGS = Path(ebok.__file__).parent / "settings.py"


def read_settings(monkeypatch, **environment):
    for name in ("STORAGE_BUCKET", "STORAGE_ENDPOINT_URL", "STORAGE_REGION", "STORAGE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.fixture
def storages_installed(monkeypatch):
    """As if the optional extra (pip install '.[s3]') were installed, without importing it."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: find_spec("json") if name == "storages" else find_spec(name)
    )


def test_files_go_to_the_folder_of_media_root_by_default(monkeypatch, tmp_path):
    settings = read_settings(monkeypatch, MEDIA_ROOT=str(tmp_path))
    assert settings["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert str(settings["MEDIA_ROOT"]) == str(tmp_path)


def test_a_bucket_puts_them_in_private_objects_of_an_s3_compatible_store(monkeypatch, storages_installed):
    settings = read_settings(
        monkeypatch,
        STORAGE_BUCKET="ebok-faktury",
        STORAGE_ENDPOINT_URL="https://s3.waw.example.pl",
        STORAGE_REGION="waw",
        STORAGE_PREFIX="produkcja",
    )
    assert settings["STORAGES"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "ebok-faktury",
            "endpoint_url": "https://s3.waw.example.pl",
            "region_name": "waw",
            "location": "produkcja",
            "default_acl": "private",
            "file_overwrite": True,
        },
    }


def test_without_an_endpoint_the_bucket_is_amazons(monkeypatch, storages_installed):
    options = read_settings(monkeypatch, STORAGE_BUCKET="ebok")["STORAGES"]["default"]["OPTIONS"]
    assert (options["endpoint_url"], options["region_name"], options["location"]) == (None, None, "")


def test_a_bucket_without_django_storages_installed_stops_the_start_with_what_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(ImproperlyConfigured, match=r"pip install '\.\[s3\]'"):
        read_settings(monkeypatch, STORAGE_BUCKET="ebok")


def test_the_options_are_ones_django_storages_takes(monkeypatch, storages_installed):
    """Only where the extra is installed: the backend accepts the options and builds private, signed links
    without asking the network (credentials are checked only when a file is read or written)."""
    s3 = pytest.importorskip("storages.backends.s3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    options = read_settings(monkeypatch, STORAGE_BUCKET="ebok", STORAGE_ENDPOINT_URL="https://s3.waw.example.pl")[
        "STORAGES"
    ]["default"]["OPTIONS"]
    storage = s3.S3Storage(**options)
    url = storage.url("invoices/2026/11/invoice.pdf")
    assert url.startswith("https://s3.waw.example.pl/ebok/invoices/2026/11/invoice.pdf?")
    assert "Signature=" in url
