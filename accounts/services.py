"""Steps of the way in that span several models or send e-mail."""

import datetime

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts import emails, otp
from accounts.limits import PASSWORD_EMAILS_PER_CUSTOMER
from accounts.models import OneTimePassword, User
from customers.models import Customer


def password_request(*, region, number, sub_code, by_staff=False, requested_at=None):
    """E-mail a one-time password if the code is known, active, enrolled and under its daily limit.

    Returns whether an e-mail was queued. Run by the worker (accounts.tasks.password_request) for the
    public page, directly for the admin's action; the page shown never depends on it.
    """
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update()
            .filter(region=region, number=number, sub_code=sub_code, active=True)
            .exclude(email="")
            .first()
        )
        since = timezone.now() - datetime.timedelta(seconds=PASSWORD_EMAILS_PER_CUSTOMER.window)
        if customer is None or customer.one_time_passwords.filter(created_at__gt=since).count() >= (
            PASSWORD_EMAILS_PER_CUSTOMER.limit
        ):
            return False
        User.objects.for_customer(customer)
        now = timezone.now()
        customer.one_time_passwords.usable().update(revoked_at=now, nonce="")
        nonce = otp.new_nonce()
        one_time = OneTimePassword.objects.create(
            customer=customer,
            password_hash=make_password(otp.clear_text(nonce)),
            nonce=nonce,
            created_at=now,
            # Valid for the set time from the moment the customer asked, however late the worker ran.
            expires_at=(requested_at or now) + settings.ONE_TIME_PASSWORD_VALIDITY,
            requested_by_staff=by_staff,
        )
        emails.one_time_password(otp=one_time)
    return True


def customer_set_password(*, request, user, password):
    """The customer's own password: others of its sessions end, pending one-time passwords die, a notice goes."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        user.customer.one_time_passwords.usable().update(revoked_at=timezone.now(), nonce="")
        emails.password_changed(customer=user.customer)
    update_session_auth_hash(request, user)


def customer_change_email(*, customer, old_email):
    """After staff saved a new address: tell the old one, and void passwords sent to it."""
    if old_email and old_email != customer.email:
        customer.one_time_passwords.usable().update(revoked_at=timezone.now(), nonce="")
        emails.email_changed(customer=customer, old_email=old_email)
