"""Staff steps that touch a customer's way in are logged (who, when, what), in the step's own transaction."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OneTimePassword, StaffAction, Throttle, mask_email

INLINE = {"metering_points-TOTAL_FORMS": "0", "metering_points-INITIAL_FORMS": "0"}
NOW = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)


def change_email(client, customer, email, requested_on="25.11.2026"):
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    return client.post(url, {"email": email, "email_requested_on": requested_on, **INLINE})


def send_passwords(client, *customers):
    url = reverse("admin:customers_customer_changelist")
    return client.post(url, {"action": "send_one_time_password", "_selected_action": [c.pk for c in customers]})


def test_an_email_change_is_logged_with_who_when_and_both_addresses_masked(staff_client, staff_user, owner):
    with time_machine.travel(NOW, tick=False):
        assert change_email(staff_client, owner, "nowy@example.com").status_code == 302
    entry = StaffAction.objects.get()
    assert (entry.staff, entry.customer, entry.action, entry.at) == (staff_user, owner, "email_changed", NOW)
    assert (entry.old_value, entry.new_value) == ("za***@sm-zgoda.example", "no***@example.com")
    assert entry.request_date == datetime.date(2026, 11, 25)


def test_a_first_enrolment_is_logged_too(staff_client, sibling):
    change_email(staff_client, sibling, "budynek-b@example.com")
    entry = StaffAction.objects.get()
    assert (entry.customer, entry.old_value, entry.new_value) == (sibling, "", "bu***@example.com")


def test_saving_without_changing_the_email_logs_nothing(staff_client, owner):
    change_email(staff_client, owner, owner.email, "01.10.2026")
    assert not StaffAction.objects.exists()


def test_a_sent_password_is_logged_per_customer_and_a_skipped_one_not(staff_client, staff_user, owner, sibling):
    send_passwords(staff_client, owner, sibling)  # the sibling has no e-mail: nothing is sent to it
    entry = StaffAction.objects.get()
    assert (entry.staff, entry.customer, entry.action, entry.new_value) == (
        staff_user,
        owner,
        "password_sent",
        "za***@sm-zgoda.example",
    )


def test_no_password_is_sent_when_its_entry_cannot_be_written(staff_client, owner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(StaffAction.objects, "password_sent", broken)
    with pytest.raises(RuntimeError):
        send_passwords(staff_client, owner)
    assert not OneTimePassword.objects.exists()


def test_no_email_is_changed_when_its_entry_cannot_be_written(staff_client, owner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(StaffAction.objects, "email_changed", broken)
    with pytest.raises(RuntimeError):
        change_email(staff_client, owner, "nowy@example.com")
    owner.refresh_from_db()
    assert owner.email == "zarzad@sm-zgoda.example"


def test_the_log_is_read_only_in_the_admin(staff_client, owner):
    send_passwords(staff_client, owner)
    entry = StaffAction.objects.get()
    change = reverse("admin:accounts_staffaction_change", args=[entry.pk])
    page = staff_client.get(change).content.decode()
    assert "za***@sm-zgoda.example" in page
    assert 'name="_save"' not in page
    staff_client.post(change, {"action": "email_changed", "new_value": "forged"})
    assert staff_client.get(reverse("admin:accounts_staffaction_add")).status_code == 403
    delete = reverse("admin:accounts_staffaction_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.action, entry.new_value) == ("password_sent", "za***@sm-zgoda.example")


def test_the_log_filters_by_customer_staff_and_action(staff_client, staff_user, owner, sibling, stranger):
    change_email(staff_client, sibling, "budynek-b@example.com")
    send_passwords(staff_client, owner)
    url = reverse("admin:accounts_staffaction_changelist")
    for query, expected in (
        ({"customer__id__exact": sibling.pk}, ["email_changed"]),
        ({"action__exact": "password_sent"}, ["password_sent"]),
        ({"staff__id__exact": staff_user.pk}, ["password_sent", "email_changed"]),
        ({"q": "Zgoda"}, ["password_sent", "email_changed"]),
    ):
        response = staff_client.get(url, query)
        assert response.status_code == 200
        assert [entry.action for entry in response.context["cl"].result_list] == expected, query


def test_addresses_are_masked_to_their_first_letters_and_domain():
    assert mask_email("zarzad@sm-zgoda.example") == "za***@sm-zgoda.example"
    assert mask_email("a@b.pl") == "a***@b.pl"
    assert mask_email("") == ""


# -- The way in of staff and of blocked clients -----------------------------------------------------


def blocked(key, count=10):
    return Throttle.objects.create(key=key, count=count, window_start=NOW, last_at=NOW)


def test_lifting_a_lockout_is_logged_with_who_when_and_the_key(staff_client, staff_user):
    row = blocked("staff-login:kasia")
    with time_machine.travel(NOW, tick=False):
        delete = reverse("admin:accounts_throttle_delete", args=[row.pk])
        assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Throttle.objects.exists()
    entry = StaffAction.objects.get()
    assert (entry.staff, entry.customer, entry.action, entry.at) == (staff_user, None, "lockout_lifted", NOW)
    assert entry.old_value == "staff-login:kasia (10)"


def test_lifting_several_lockouts_at_once_logs_each(staff_client):
    rows = [blocked("login-ip:10.0.0.1", 30), blocked("password-ip:10.0.0.2", 20)]
    url = reverse("admin:accounts_throttle_changelist")
    selected = {"action": "delete_selected", "_selected_action": [row.pk for row in rows], "post": "yes"}
    assert staff_client.post(url, selected).status_code == 302
    logged = sorted(StaffAction.objects.values_list("action", "old_value"))
    assert logged == [("lockout_lifted", "login-ip:10.0.0.1 (30)"), ("lockout_lifted", "password-ip:10.0.0.2 (20)")]


def test_no_lockout_is_lifted_when_its_entry_cannot_be_written(staff_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    row = blocked("staff-login:kasia")
    monkeypatch.setattr(StaffAction.objects, "lockout_lifted", broken)
    with pytest.raises(RuntimeError):
        staff_client.post(reverse("admin:accounts_throttle_delete", args=[row.pk]), {"post": "yes"})
    assert Throttle.objects.filter(pk=row.pk).exists()


def test_a_second_factor_reset_is_shown_read_only_with_whose_it_was(staff_client, staff_user, django_user_model):
    member = django_user_model.objects.create_user("kasia", is_staff=True)
    entry = StaffAction.objects.second_factor_reset(staff=staff_user, member=member)
    listing = staff_client.get(reverse("admin:accounts_staffaction_changelist"), {"q": "kasia"})
    assert list(listing.context["cl"].result_list) == [entry]
    change = reverse("admin:accounts_staffaction_change", args=[entry.pk])
    assert 'name="_save"' not in staff_client.get(change).content.decode()
    assert (
        staff_client.post(reverse("admin:accounts_staffaction_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
