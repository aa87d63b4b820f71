"""Steps of the way in that span several models or send e-mail."""

import datetime

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts import emails, limits, otp
from accounts.models import EmailDelivery, OneTimePassword, User
from accounts.throttle import Limit
from customers.models import Customer
from ops.events import security_event


class PasswordCoolingDown(Exception):
    """A password e-mail to this code went out too recently; ask again at `until`."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


def password_request(*, region, number, sub_code, by_staff=False, requested_at=None, requester=""):
    """E-mail a one-time password if the code is known, active, enrolled and within the limits.

    Returns whether an e-mail was queued. `requester` is the network that asked (throttle.ip_key).
    The rules and their reasons are in accounts.limits: nothing when a mail sent after `requested_at`
    has answered the request already or `requester` had its three mails to the code today;
    PasswordCoolingDown when the code's last mail is too recent, or its password is in its last hour,
    for the caller to ask again then. A public request re-mails the code's password that still works
    and never voids it; the admin's action (`by_staff`, not limited) replaces it with a new one.
    Run by the worker (accounts.tasks.password_request) for the public page, directly for the admin's
    action; the page shown never depends on it.
    """
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update()
            .filter(region=region, number=number, sub_code=sub_code, active=True)
            .exclude(email="")
            .first()
        )
        if customer is None:
            return False
        if not by_staff:
            # The customer row stays locked from here to the mail, so requests for one code take turns.
            per_requester = Limit(limits.PASSWORD_EMAILS_PER_REQUESTER, f"password-mail:{customer.pk}:{requester}")
            if _answered(customer, requested_at) or per_requester.refusal():
                return False
            if until := _cool_down_ends(customer) or _last_hour_ends(customer):
                raise PasswordCoolingDown(until)
            per_requester.hit()
        one_time = None if by_staff else _still_working(customer)
        emails.one_time_password(otp=one_time or _new_one_time_password(customer, by_staff, requested_at))
    security_event("one_time_password_queued", customer=customer, region=region, by_staff=by_staff)
    return True


def _password_mails(customer):
    return EmailDelivery.objects.filter(customer=customer, kind="one_time_password")


def _answered(customer, requested_at):
    """A password e-mail went to the code after the request: it has what it asked for."""
    return requested_at is not None and _password_mails(customer).filter(created_at__gte=requested_at).exists()


def _cool_down_ends(customer):
    """When the code may get its next password e-mail, if that is still to come."""
    since = timezone.now() - datetime.timedelta(seconds=limits.PASSWORD_EMAILS_PER_REQUESTER.window)
    sent = list(_password_mails(customer).filter(created_at__gt=since).values_list("created_at", flat=True))
    if not sent:
        return None
    ends = max(sent) + datetime.timedelta(seconds=limits.password_email_cool_down(len(sent)))
    return ends if ends > timezone.now() else None


def _last_hour_ends(customer):
    """When the code's working password expires, if that is too soon to mail it again."""
    soon = timezone.now() + datetime.timedelta(seconds=limits.PASSWORD_REMAIL_MIN_LEFT)
    one_time = customer.one_time_passwords.usable().filter(expires_at__lt=soon).exclude(nonce="").first()
    return one_time.expires_at if one_time else None


def _still_working(customer):
    """The code's one-time password that still works and can be rebuilt for another e-mail, if any.

    Its expiry stays: 24 hours from the first request, whoever asks again. Used at a login before the
    e-mail goes, it is not sent (emails.deliver): whoever logged in had the password already.
    Usable passwords without a nonce (mailed before nonces were kept) cannot be mailed again: replaced.
    """
    return customer.one_time_passwords.usable().exclude(nonce="").order_by("-created_at").first()


def _new_one_time_password(customer, by_staff, requested_at):
    User.objects.for_customer(customer)
    now = timezone.now()
    customer.one_time_passwords.usable().update(revoked_at=now, nonce="")
    nonce = otp.new_nonce()
    return OneTimePassword.objects.create(
        customer=customer,
        password_hash=make_password(otp.clear_text(nonce)),
        nonce=nonce,
        created_at=now,
        # Valid for the set time from the moment the customer asked, however late the worker ran.
        expires_at=(requested_at or now) + settings.ONE_TIME_PASSWORD_VALIDITY,
        requested_by_staff=by_staff,
    )


def customer_set_password(*, request, user, password):
    """The customer's own password: others of its sessions end, pending one-time passwords die, a notice goes."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        user.customer.one_time_passwords.usable().update(revoked_at=timezone.now(), nonce="")
        emails.password_changed(customer=user.customer)
    update_session_auth_hash(request, user)
    security_event("password_changed", request=request, customer=user.customer)


def customer_change_email(*, customer, old_email, ended_consent=None):
    """After staff saved a new address: tell the old one (and that the e-invoice consent `ended_consent`
    ended with it, if so), and void passwords sent to it."""
    if old_email and old_email != customer.email:
        customer.one_time_passwords.usable().update(revoked_at=timezone.now(), nonce="")
        emails.email_changed(customer=customer, old_email=old_email, ended_consent=ended_consent)
