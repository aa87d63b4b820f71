import pytest
from django.urls import reverse

from tests.accounts.conftest import PASSWORD, login


def test_the_login_page_has_what_the_printed_instructions_show(client, jaworzno):
    body = client.get(reverse("login", kwargs={"region": "jaworzno"})).content.decode()
    assert "<h1>Logowanie do systemu</h1>" in body
    for text in ("Odbiorca", "Pododbiorca", "Hasło", "Zaloguj", "Pobierz hasło do systemu", "Powrót"):
        assert text in body
    assert 'for="id_odbiorca"' in body
    assert 'for="id_password"' in body
    assert jaworzno.seller_name in body
    assert "632-000-00-68" in body
    assert reverse("password_request", kwargs={"region": "jaworzno"}) in body


@pytest.mark.parametrize("typed", ["1234", "001234", "1234-0000", "001234-0000", "  1234  ", " 001234 - 0000 "])
def test_it_accepts_the_code_in_every_form_customers_type(client, owner_user, typed):
    response = login(client, odbiorca=typed)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_the_sub_customer_logs_in_with_its_own_code(client, sibling, owner_user):
    from accounts.models import User

    user = User.objects.for_customer(sibling)
    user.set_password("sibling password 123")
    user.save()
    assert login(client, odbiorca="1234", pododbiorca="1", password="sibling password 123").status_code == 302
    assert client.get(reverse("dashboard")).context["customer"] == sibling
    client.post(reverse("logout"))
    assert login(client, odbiorca="1234-0001", password="sibling password 123").status_code == 302
    client.post(reverse("logout"))
    # The main account's password is not the sub-customer's.
    assert login(client, odbiorca="1234-0001", password=PASSWORD).status_code == 200


def test_a_customer_of_one_region_cannot_log_in_through_the_other(client, owner_user, stranger):
    response = login(client, region="bedzin-czeladz-sosnowiec")
    assert response.status_code == 200
    assert "Nieprawidłowy kod odbiorcy lub hasło." in response.content.decode()


def test_unknown_code_and_wrong_password_get_one_message(client, owner_user):
    wrong = login(client, password="wrong password!")
    unknown = login(client, odbiorca="9999")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_an_inactive_customer_cannot_log_in(client, owner_user, owner):
    owner.active = False
    owner.save()
    assert login(client).status_code == 200


def test_login_gives_a_new_session_key(client, owner_user):
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    login(client)
    assert client.session.session_key != before
    assert client.session["before_login"] is True  # the data moves to the new key


def test_a_malformed_code_gets_a_clear_message(client, owner_user):
    response = login(client, odbiorca="12a4")
    assert "Wpisz kod odbiorcy z faktury" in response.content.decode()
    response = login(client, odbiorca="1234-0001", pododbiorca="0002")
    assert "Kod pododbiorcy podano dwa razy" in response.content.decode()


def test_staff_logins_do_not_work_for_customers_and_customers_not_in_the_admin(client, owner_user, django_user_model):
    response = client.post(reverse("admin:login"), {"username": owner_user.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_the_admin_backend_never_authenticates_a_customer(owner_user, rf):
    from django.contrib.auth import authenticate

    assert authenticate(rf.post("/"), username=owner_user.username, password=PASSWORD) is None


def test_a_login_with_the_own_password_ends_an_earlier_one_time_login(client, owner_user):
    from accounts.decorators import MUST_SET_PASSWORD

    session = client.session
    session[MUST_SET_PASSWORD] = True
    session.save()
    login(client)
    assert MUST_SET_PASSWORD not in client.session
    assert client.get(reverse("dashboard")).status_code == 200
