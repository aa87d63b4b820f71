"""Every e-mail the portal sends: one function per kind, subject/text/html templates in templates/emails/,
rendered by the worker in the customer's language (the one they chose with the switch, else Polish).
A function records an EmailDelivery and enqueues its sending in the caller's transaction, so the mail goes
if and only if the change that causes it is committed; the worker (`manage.py db_worker`) sends it and
retries with back-off when the mail server fails.
"""

import datetime
import logging
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task

from accounts import otp as otp_text
from accounts.models import EmailDelivery, OneTimePassword, User
from customers.consent import consent_text
from customers.models import EinvoiceConsent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Waits between attempts: 1, 2, 4, ... minutes, at most 4 hours (about 17 hours in all).
MAX_BACKOFF = datetime.timedelta(hours=4)


def one_time_password(*, otp):
    customer = otp.customer
    return _queue("one_time_password", to=customer.email, customer=customer, one_time_password=otp)


def password_changed(*, customer):
    return _queue("password_changed", to=customer.email, customer=customer)


def email_changed(*, customer, old_email, ended_consent=None):
    """The notice to the *old* address that staff changed the customer's e-mail; with `ended_consent` (the
    withdrawal the change caused), it also says that e-invoices must be accepted again for the new address."""
    context = {"new_email": _mask(customer.email)}
    if ended_consent is not None:
        context["consent"] = ended_consent.pk
    return _queue("email_changed", to=old_email, customer=customer, context=context)


def einvoice_consent_granted(*, consent):
    """The confirmation of a consent, to the enrolled address it names, with the text accepted."""
    return _queue(
        "einvoice_consent_granted", to=consent.email, customer=consent.customer, context={"consent": consent.pk}
    )


def einvoice_consent_withdrawn(*, consent, email_changed=False):
    """The confirmation of a withdrawal, to the enrolled address (if staff removed it, nowhere). `email_changed`:
    the withdrawal ended a consent because staff changed the address; the message says to accept it again."""
    to = consent.customer.email
    context = {"consent": consent.pk, "email_changed": email_changed}
    return _queue("einvoice_consent_withdrawn", to=to, customer=consent.customer, context=context)


def case_filed(*, case):
    """The receipt of a new case: its number, kind and due date, and a link to it behind the login."""
    return _queue("case_filed", to=case.customer.email, customer=case.customer, context=_case(case))


def case_answered(*, case):
    """The notice that the office answered: a link only; the answer itself stays in the portal, where only
    the logged-in customer reads it (an e-mail may be read by anyone with access to the mailbox)."""
    return _queue("case_answered", to=case.customer.email, customer=case.customer, context=_case(case))


def cases_digest(*, to, context):
    """The staff's daily digest of new and overdue cases (cases/digest.py builds `context`): numbers, kinds,
    regions, due dates and links to the admin, never what a customer wrote, nor notes."""
    return _queue("cases_digest", to=to, context=context)


def _case(case):
    """What a case's notice shows: never the content of the case, its messages or notes."""
    return {
        "case_number": case.number,
        "case_kind": case.kind,
        "case_due_on": case.due_on.isoformat(),
        "case_path": reverse("cases:detail", args=[case.public_id]),
    }


def einvoice(*, delivery, pdf, filename, transfer):
    """The e-invoice e-mail of `delivery` (invoices.EinvoiceDelivery), built by the worker that sends and records
    it (invoices/einvoice.py: queued by the import, not here). The invoice's PDF is attached; the transfer QR
    code (`transfer`, an invoices.payment_qr.Transfer, None when nothing is due) goes inline in the HTML with the
    amount it asks for stated in both bodies. The link leads to the invoice's page behind the login: it carries
    nothing but the invoice's public id. The Message-ID is the delivery's own, the same on every resend."""
    invoice = delivery.invoice
    customer = invoice.customer
    context = {
        "invoice": invoice,
        "customer": customer,
        "company": settings.EBOK_COMPANY,
        "transfer": transfer,
        "invoice_url": settings.EBOK_BASE_URL + reverse("invoices:detail", args=[invoice.public_id]),
    }
    with translation.override(User.objects.language_for(customer)):
        subject = " ".join(render_to_string("emails/einvoice_subject.txt", context).split())
        text = render_to_string("emails/einvoice.txt", context)
        html = render_to_string("emails/einvoice.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.EINVOICE_FROM_EMAIL,
        [delivery.to],
        reply_to=settings.EINVOICE_REPLY_TO,
        headers={"Message-ID": delivery.message_id},
    )
    message.attach_alternative(html, "text/html")
    message.attach(filename, pdf, "application/pdf")
    if transfer is not None:
        image = MIMEImage(transfer.png(), "png")
        image.add_header("Content-ID", f"<{EINVOICE_QR_CID}>")
        image.add_header("Content-Disposition", "inline", filename="przelew-qr.png")
        message.attach(image)
    return message


EINVOICE_QR_CID = "transfer-qr@ebok"


def outage_notice(*, notice, outage, event, addresses, reports=()):
    """The e-mail about one event of an outage (published, expected end moved, ended) to one affected customer:
    built by the worker that sends and records `notice` (outages/notices.py: queued with the event, not here).
    It names the customer's own affected points (`addresses`), the emergency number, the public page and where
    in Konto the notices are switched off; to a customer who reported the outage, the numbers of their `reports`
    (cases). The Message-ID is the notice's own, the same on every retry."""
    customer = notice.customer
    context = {
        "notice": notice,
        "outage": outage,
        "event": event,
        "addresses": addresses,
        "reports": list(reports),
        "customer": customer,
        "company": settings.EBOK_COMPANY,
        "emergency_phone": settings.EBOK_EMERGENCY_PHONE,
        "outages_url": f"{settings.EBOK_BASE_URL}{reverse('outages:public')}#awaria-{outage.public_id}",
        "account_url": settings.EBOK_BASE_URL + reverse("account"),
    }
    with translation.override(User.objects.language_for(customer)):
        subject = " ".join(render_to_string("emails/outage_notice_subject.txt", context).split())
        text = render_to_string("emails/outage_notice.txt", context)
        html = render_to_string("emails/outage_notice.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [notice.to], headers={"Message-ID": notice.message_id}
    )
    message.attach_alternative(html, "text/html")
    return message


def _mask(address):
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def _queue(kind, *, to, customer=None, one_time_password=None, context=None):
    if not to:
        return None  # nowhere to send it (staff cleared the address)
    delivery = EmailDelivery.objects.create(
        kind=kind, to=to, customer=customer, one_time_password=one_time_password, context=context or {}
    )
    delivery.task_id = deliver.enqueue(delivery.pk).id
    delivery.save(update_fields=["task_id"])
    return delivery


def requeue_stale(*, older_than):
    """Queue again what a dead worker left behind: deliveries still waiting whose task is gone or stuck.

    Run by `manage.py accounts_housekeeping` (every few minutes from cron or a systemd timer).
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    waiting = list(
        EmailDelivery.objects.filter(
            status__in=[EmailDelivery.Status.QUEUED, EmailDelivery.Status.RETRYING], created_at__lt=cutoff
        )
    )
    alive = {
        str(pk)
        for pk in DBTaskResult.objects.filter(id__in=[d.task_id for d in waiting if d.task_id])
        .filter(Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gt=cutoff))
        .values_list("id", flat=True)
    }
    stale = [delivery for delivery in waiting if delivery.task_id not in alive]
    for delivery in stale:
        delivery.task_id = deliver.enqueue(delivery.pk).id
        delivery.save(update_fields=["task_id"])
    return len(stale)


def backoff(attempts):
    return min(datetime.timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


@task(priority=10)  # a customer is waiting for it; PDF renders (priority 0) can wait
def deliver(delivery_id):
    """Send one queued e-mail; on a mail server error try again later, up to MAX_ATTEMPTS times."""
    delivery = EmailDelivery.objects.select_related("customer__region", "one_time_password").get(pk=delivery_id)
    if delivery.status in (EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED):
        return delivery.status
    delivery.attempts += 1
    try:
        message = _build(delivery)
        if message is None:
            delivery.status = EmailDelivery.Status.FAILED
            delivery.last_error = _("Hasło jednorazowe wygasło, użyte lub unieważnione przed wysyłką: nie wysłano.")
            # Dead, so its nonce goes. One that works keeps it: a request from the page mails it again.
            OneTimePassword.objects.filter(pk=delivery.one_time_password_id).update(nonce="")
        else:
            message.send()
            delivery.status = EmailDelivery.Status.SENT
            delivery.sent_at = timezone.now()
    except Exception as error:
        # The error text comes from the mail server or the code, never from the message's content.
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = EmailDelivery.Status.FAILED
            logger.error("E-mail %s (%s) not sent after %d attempts", delivery.pk, delivery.kind, delivery.attempts)
        else:
            delivery.status = EmailDelivery.Status.RETRYING
            retry = deliver.using(run_after=timezone.now() + backoff(delivery.attempts)).enqueue(delivery.pk)
            delivery.task_id = retry.id
    delivery.save(update_fields=["status", "attempts", "last_error", "sent_at", "task_id"])
    return delivery.status


def _hours_left(otp):
    """Whole hours the password still works, as its e-mail states them, rounded down.

    A first e-mail states the full validity (the worker's first minute is not counted); one mailed
    again, or late, what is left of the 24 hours from the first request. A request from the page is
    never answered with a password in its last hour (accounts.limits), so the least is 1.
    """
    left = otp.expires_at - timezone.now() + datetime.timedelta(minutes=1)
    return max(1, min(otp_text.validity_hours(), int(left.total_seconds() // 3600)))


def _build(delivery):
    customer = delivery.customer
    language = User.objects.language_for(customer) if customer is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        return _build_in_language(delivery, customer)


def _build_in_language(delivery, customer):
    context = {
        **delivery.context,
        "customer": customer,
        "company": settings.EBOK_COMPANY,
        "base_url": settings.EBOK_BASE_URL,
        "emergency_phone": settings.EBOK_EMERGENCY_PHONE,
        "validity_hours": otp_text.validity_hours(),
    }
    if customer is not None:
        context["login_url"] = settings.EBOK_BASE_URL + reverse("login", kwargs={"region": customer.region.slug})
    if "consent" in delivery.context:
        context["consent"] = EinvoiceConsent.objects.get(pk=delivery.context["consent"])
        context["consent_text"] = consent_text(context["consent"].text_version)
    if delivery.kind == "one_time_password":
        otp = delivery.one_time_password
        if otp is None or not otp.nonce or otp.used_at or otp.revoked_at or otp.expires_at <= timezone.now():
            return None
        context["password"] = otp_text.clear_text(otp.nonce)
        context["validity_hours"] = _hours_left(otp)
    subject = " ".join(render_to_string(f"emails/{delivery.kind}_subject.txt", context).split())
    text = render_to_string(f"emails/{delivery.kind}.txt", context)
    html = render_to_string(f"emails/{delivery.kind}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [delivery.to])
    message.attach_alternative(html, "text/html")
    return message
