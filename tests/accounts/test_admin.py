"""Staff enrol e-mails and send passwords; they never see or set a customer's password."""

from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from accounts.models import EmailDelivery, OneTimePassword

INLINE = {"metering_points-TOTAL_FORMS": "0", "metering_points-INITIAL_FORMS": "0"}


def test_changing_the_email_tells_the_old_address_and_voids_sent_passwords(run_worker, staff_client, owner):
    from accounts import services

    services.password_request(region=owner.region, number=owner.number, sub_code=owner.sub_code)
    url = reverse("admin:customers_customer_change", args=[owner.pk])
    response = staff_client.post(url, {"email": "nowy@example.com", "email_requested_on": "25.11.2026", **INLINE})
    assert response.status_code == 302
    run_worker()
    notice = next(m for m in mail.outbox if m.subject == "eBOK: zmiana adresu e-mail")
    assert notice.to == ["zarzad@sm-zgoda.example"]
    assert not OneTimePassword.objects.usable().exists()
    assert LogEntry.objects.filter(object_id=str(owner.pk)).exists()


def test_the_first_enrolment_sends_no_notice(staff_client, sibling):
    url = reverse("admin:customers_customer_change", args=[sibling.pk])
    staff_client.post(url, {"email": "b@example.com", "email_requested_on": "25.11.2026", **INLINE})
    assert not EmailDelivery.objects.filter(kind="email_changed").exists()


def test_the_action_sends_a_one_time_password_and_is_logged(run_worker, staff_client, owner, sibling):
    url = reverse("admin:customers_customer_changelist")
    response = staff_client.post(
        url, {"action": "send_one_time_password", "_selected_action": [owner.pk, sibling.pk]}, follow=True
    )
    body = response.content.decode()
    assert "Wysłano 1 hasło" in body
    assert "Pominięto 1" in body
    otp = OneTimePassword.objects.get()
    assert otp.customer == owner
    assert otp.requested_by_staff
    run_worker()
    assert mail.outbox[0].to == [owner.email]
    assert LogEntry.objects.filter(object_id=str(owner.pk), change_message__contains="hasło").exists()


def test_staff_see_only_staff_logins_and_no_password_of_a_customer(staff_client, owner):
    from accounts.models import User

    customer_user = User.objects.for_customer(owner)
    listing = staff_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert customer_user.username not in listing
    assert staff_client.get(reverse("admin:accounts_user_change", args=[customer_user.pk])).status_code == 302
    assert staff_client.get(reverse("admin:auth_user_password_change", args=[customer_user.pk])).status_code == 404
    page = staff_client.get(reverse("admin:customers_customer_change", args=[owner.pk])).content.decode()
    assert 'name="password' not in page
    assert customer_user.password not in page


def test_lockouts_and_deliveries_are_listed_without_secrets(staff_client, owner, client):
    from accounts import services
    from tests.accounts.conftest import request_password

    request_password(client)  # a throttle counter
    services.password_request(region=owner.region, number=owner.number, sub_code=owner.sub_code)  # not sent yet
    for model in ("throttle", "emaildelivery", "onetimepassword"):
        response = staff_client.get(reverse(f"admin:accounts_{model}_changelist"))
        assert response.status_code == 200
    otp = OneTimePassword.objects.get()
    page = staff_client.get(reverse("admin:accounts_onetimepassword_change", args=[otp.pk])).content.decode()
    assert otp.nonce
    assert otp.password_hash not in page
    assert otp.nonce not in page


def test_a_new_address_needs_the_date_of_a_new_request(staff_client, owner):
    url = reverse("admin:customers_customer_change", args=[owner.pk])
    response = staff_client.post(url, {"email": "inny@example.com", "email_requested_on": "01.10.2026", **INLINE})
    assert response.status_code == 200
    assert "z datą nowego pisemnego wniosku" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "zarzad@sm-zgoda.example"
    assert not EmailDelivery.objects.exists()
