"""Every e-mail the portal sends: one function per kind, Polish subject/text/html templates in
templates/emails/. A function records an EmailDelivery and enqueues its sending in the caller's
transaction, so the mail goes if and only if the change that causes it is committed; the worker
(`manage.py db_worker`) sends it and retries with back-off when the mail server fails.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts import otp as otp_text
from accounts.models import EmailDelivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Waits between attempts: 1, 2, 4, ... minutes, at most 4 hours (about 17 hours in all).
MAX_BACKOFF = datetime.timedelta(hours=4)


def one_time_password(*, otp):
    customer = otp.customer
    return _queue("one_time_password", to=customer.email, customer=customer, one_time_password=otp)


def password_changed(*, customer):
    return _queue("password_changed", to=customer.email, customer=customer)


def email_changed(*, customer, old_email):
    """The notice to the *old* address that staff changed the customer's e-mail."""
    return _queue("email_changed", to=old_email, customer=customer, context={"new_email": _mask(customer.email)})


def _mask(address):
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def _queue(kind, *, to, customer=None, one_time_password=None, context=None):
    delivery = EmailDelivery.objects.create(
        kind=kind, to=to, customer=customer, one_time_password=one_time_password, context=context or {}
    )
    deliver.enqueue(delivery.pk)
    return delivery


def backoff(attempts):
    return min(datetime.timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


@task()
def deliver(delivery_id):
    """Send one queued e-mail; on a mail server error try again later, up to MAX_ATTEMPTS times."""
    delivery = EmailDelivery.objects.select_related("customer__region", "one_time_password").get(pk=delivery_id)
    if delivery.status in (EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED):
        return delivery.status
    message = _build(delivery)
    if message is None:
        delivery.status = EmailDelivery.Status.FAILED
        delivery.last_error = "Hasło jednorazowe unieważnione lub użyte przed wysyłką: nie wysłano."
        delivery.save(update_fields=["status", "last_error"])
        return delivery.status
    delivery.attempts += 1
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = EmailDelivery.Status.FAILED
            logger.error("E-mail %s (%s) not sent after %d attempts", delivery.pk, delivery.kind, delivery.attempts)
        else:
            delivery.status = EmailDelivery.Status.RETRYING
            deliver.using(run_after=timezone.now() + backoff(delivery.attempts)).enqueue(delivery.pk)
        delivery.save(update_fields=["status", "attempts", "last_error"])
        return delivery.status
    delivery.status = EmailDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "sent_at"])
    if delivery.one_time_password_id:
        # The clear text can no longer be rebuilt once it has gone out.
        type(delivery.one_time_password).objects.filter(pk=delivery.one_time_password_id).update(nonce="")
    return delivery.status


def _build(delivery):
    customer = delivery.customer
    context = {
        **delivery.context,
        "customer": customer,
        "company": settings.EBOK_COMPANY,
        "base_url": settings.EBOK_BASE_URL,
        "validity_hours": int(settings.ONE_TIME_PASSWORD_VALIDITY.total_seconds() // 3600),
    }
    if customer is not None:
        context["login_url"] = settings.EBOK_BASE_URL + reverse("login", kwargs={"region": customer.region.slug})
    if delivery.kind == "one_time_password":
        otp = delivery.one_time_password
        if otp is None or not otp.nonce or otp.used_at or otp.revoked_at:
            return None
        context["password"] = otp_text.clear_text(otp.nonce)
    subject = " ".join(render_to_string(f"emails/{delivery.kind}_subject.txt", context).split())
    text = render_to_string(f"emails/{delivery.kind}.txt", context)
    html = render_to_string(f"emails/{delivery.kind}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [delivery.to])
    message.attach_alternative(html, "text/html")
    return message
