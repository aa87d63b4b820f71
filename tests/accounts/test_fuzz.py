"""Arbitrary text in every field of the way in never makes a 500."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.throttle import Throttle

text = st.text(max_size=300)
# Mostly well-formed codes, so that the examples get past the form to the password check.
code = st.one_of(st.from_regex(r"\A\s*\d{1,6}(\s*-\s*\d{1,4})?\s*\Z"), text)
sub_code = st.one_of(st.from_regex(r"\A\d{0,4}\Z"), text)
common = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@common
@given(odbiorca=code, pododbiorca=sub_code, password=text)
def test_login_never_fails_with_a_server_error(client, owner_user, odbiorca, pododbiorca, password):
    Throttle.objects.all().delete()
    response = client.post(
        "/jaworzno/logowanie/", {"odbiorca": odbiorca, "pododbiorca": pododbiorca, "password": password}
    )
    assert response.status_code in (200, 302)


@common
@given(odbiorca=code, pododbiorca=sub_code)
def test_password_request_never_fails_with_a_server_error(client, owner, odbiorca, pododbiorca):
    Throttle.objects.all().delete()
    response = client.post("/jaworzno/pobierz-haslo/", {"odbiorca": odbiorca, "pododbiorca": pododbiorca})
    assert response.status_code in (200, 302)  # the form again with a message, or on to "sent"


@common
@given(old=text, new1=text, new2=text)
def test_password_change_never_fails_with_a_server_error(client, owner_user, old, new1, new2):
    Throttle.objects.all().delete()
    client.force_login(owner_user)
    response = client.post(reverse("account"), {"old_password": old, "new_password1": new1, "new_password2": new2})
    assert response.status_code in (200, 302)


@common
@given(new1=text, new2=text)
def test_setting_the_own_password_never_fails_with_a_server_error(client, owner_user, new1, new2):
    from accounts.decorators import MUST_SET_PASSWORD

    client.force_login(owner_user)
    session = client.session
    session[MUST_SET_PASSWORD] = True
    session.save()
    response = client.post(reverse("set_password"), {"new_password1": new1, "new_password2": new2})
    assert response.status_code in (200, 302)
