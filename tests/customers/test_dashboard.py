from django.urls import reverse


def test_it_requires_a_logged_in_customer(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("landing")


def test_staff_without_a_customer_are_sent_away(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("pracownik", password="x" * 12, is_staff=True))
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_shows_the_customer_and_the_menu(owner_client, owner):
    response = owner_client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert owner.name in body
    assert "001234-0000" in body
    assert 'aria-current="page">Pulpit' in body
    assert f'action="{reverse("logout")}"' in body


def test_logout_is_a_post_and_ends_the_session(owner_client, owner):
    assert owner_client.get(reverse("logout")).status_code == 405
    response = owner_client.post(reverse("logout"))
    assert response["Location"] == reverse("login", kwargs={"region": "jaworzno"})
    assert owner_client.get(reverse("dashboard")).status_code == 302


def test_customer_pages_are_never_cached(owner_client):
    cache_control = owner_client.get(reverse("dashboard"))["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_the_region_comes_with_the_customer_not_in_a_query_of_its_own(owner_client, owner, django_assert_num_queries):
    # The session, the user with its customer and region, the consumption summary, the invoices, the payments,
    # the outages on the customer's points and the open cases: 7, none for the region Pulpit names.
    with django_assert_num_queries(7):
        body = owner_client.get(reverse("dashboard")).content.decode()
    assert f"<dd>{owner.region.name}</dd>" in body
