import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def login(client, region="jaworzno", odbiorca="1234", password=PASSWORD, ip="10.0.0.1", **extra):
    return client.post(
        f"/{region}/logowanie/",
        {"odbiorca": odbiorca, "pododbiorca": extra.pop("pododbiorca", ""), "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def request_password(client, region="jaworzno", odbiorca="1234", ip="10.0.0.1", **extra):
    return client.post(
        f"/{region}/pobierz-haslo/",
        {"odbiorca": odbiorca, "pododbiorca": extra.pop("pododbiorca", "")},
        REMOTE_ADDR=ip,
        **extra,
    )
