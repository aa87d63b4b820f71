"""Every POST of the way in is refused without a CSRF token."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import PASSWORD


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/jaworzno/logowanie/", {"odbiorca": "1234", "password": PASSWORD}),
        ("/jaworzno/pobierz-haslo/", {"odbiorca": "1234"}),
    ],
)
def test_anonymous_posts_need_the_token(csrf_client, owner_user, url, data):
    assert csrf_client.post(url, data).status_code == 403
    assert "_auth_user_id" not in csrf_client.session


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logout", {}),
        ("account", {"old_password": PASSWORD, "new_password1": "a" * 20, "new_password2": "a" * 20}),
        ("set_password", {"new_password1": "a" * 20, "new_password2": "a" * 20}),
    ],
)
def test_customer_posts_need_the_token(csrf_client, owner_user, name, data):
    csrf_client.force_login(owner_user)
    assert csrf_client.post(reverse(name), data).status_code == 403
    owner_user.refresh_from_db()
    assert owner_user.check_password(PASSWORD)


def test_a_post_with_the_token_works(csrf_client, owner_user):
    page = csrf_client.get("/jaworzno/logowanie/")
    token = page.context["csrf_token"]
    response = csrf_client.post(
        "/jaworzno/logowanie/", {"odbiorca": "1234", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
