"""While the database does not answer, a 503 with Retry-After (eBOK will be back in a moment); other faults a 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import include, path


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 port 5432 failed: Connection refused")


def connection_lost(request):
    raise InterfaceError("connection already closed")


def code_fault(request):
    raise ValueError("a bug")


urlpatterns = [
    path("baza/", database_down),
    path("polaczenie/", connection_lost),
    path("blad/", code_fault),
    path("", include("ebok.urls")),
]
handler500 = "ops.views.server_error"


@pytest.fixture
def client_of_faults(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/baza/", "/polaczenie/"])
def test_a_database_that_does_not_answer_is_a_503_with_retry_after(client_of_faults, url, db):
    response = client_of_faults.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Serwis jest chwilowo niedostępny" in response.content.decode()
    assert "5432" not in response.content.decode()  # nothing of the error reaches the page


def test_a_fault_of_the_code_is_still_a_500(client_of_faults, db):
    response = client_of_faults.get("/blad/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Przepraszamy, wystąpił błąd" in response.content.decode()


def test_the_project_uses_it():
    from ebok import urls

    assert urls.handler500 == "ops.views.server_error"
