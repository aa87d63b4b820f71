"""E-invoices: one e-mail per new invoice of a consenting customer, queued by the import, sent once by the worker.

Queueing. The import that creates an invoice (or a correction) adds its EinvoiceDelivery row in its own
transaction — the CSV import for all its new invoices in one INSERT … SELECT (:func:`queue_imported`), the KSeF
import per invoice (:func:`queue_invoice`) — and the worker tasks with it, a batch of deliveries to a task. A
customer gets a row when the consent record in effect on the invoice's issue date is a grant: queued when that
record names the address enrolled now, else skipped (staff changed the address after the consent: the customer
must consent again for the new one). Without consent no row is written. The delivery table is unique on the
invoice, so a re-import, a second import of the same invoice or a retry can never queue a second mail.

Sending (:func:`send`), each step a conditional UPDATE of its own (autocommit), so that two workers, or a task
queued twice, cannot both send:

1. claim: ``state queued → sending``, ``attempts + 1`` — only one worker's UPDATE matches; the new number of
   attempts is this worker's claim, and every later write requires it;
2. build the message (the PDF rendered first if it is not stored, the transfer QR code for what is due now);
3. mark ``handed_over_at`` — the last moment at which nothing has left eBOK;
4. hand the message to the mail server (SMTP);
5. record ``sent``.

A worker killed (or a machine stopped) between steps leaves the row ``sending``. :func:`recover`, run by
``manage.py einvoices`` every few minutes, looks at those older than SENDING_STALE: one not yet handed over
(killed in 1–3) never left eBOK and is queued again automatically; one handed over (killed in 4–5) may or may
not have been accepted — **SMTP cannot promise exactly once**: the server may have taken the message just
before the worker died, with nothing recorded. It is never resent automatically: it goes to ``unknown`` for
staff, who resend it if the customer has not got it. A resend (and a retry after a mail server error, which
may also come after the server accepted the message but before it said so) carries the same Message-ID,
so mail clients show the copies as one message.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from accounts import emails
from customers.models import Customer, EinvoiceConsent
from invoices import payment_qr
from invoices.models import EinvoiceDelivery, Invoice
from invoices.services import invoice_pdf

logger = logging.getLogger(__name__)

State = EinvoiceDelivery.State

# Deliveries per queued task: an import of 100,000 new invoices queues a few thousand task rows.
SEND_BATCH = 20
MAX_ATTEMPTS = 10
# A claim older than this is a dead worker's: a PDF render and an SMTP exchange (EMAIL_TIMEOUT, 30 s) take
# well under a minute, and a retry waits in `queued`, not in `sending`.
SENDING_STALE = datetime.timedelta(minutes=15)
# A queued delivery whose time came this long ago has lost its task (the worker's database was restored, a
# task row deleted): it is queued again. A second task for a row is harmless: only one claim can match.
QUEUED_STALE = datetime.timedelta(minutes=15)
CLAIM_GRACE = datetime.timedelta(seconds=5)

DELIVERIES = EinvoiceDelivery._meta.db_table
INVOICES = Invoice._meta.db_table
CUSTOMERS = Customer._meta.db_table
CONSENTS = EinvoiceConsent._meta.db_table


class SendingStopped(Exception):
    """The row is no longer this worker's (recovered or claimed again meanwhile): nothing is sent."""


def address_changed_reason():
    return _("adres e-mail zmieniono po wyrażeniu zgody: potrzebna nowa zgoda na obecny adres")


def message_domain():
    sender = settings.EINVOICE_FROM_EMAIL
    domain = sender.rpartition("@")[2].strip(" >")
    return domain or "ebok.localhost"


def _random_sql(connection):
    if connection.vendor == "postgresql":
        return "gen_random_uuid()::text"
    return "lower(hex(randomblob(16)))"


def queue_imported(cursor, *, connection, region_id, created_at):
    """Queue the e-mails of the invoices the CSV import created at `created_at` in `region_id`, in one
    INSERT … SELECT, and their tasks; returns the ids of the queued deliveries. Runs in the import's
    transaction: the rows and the tasks commit with the invoices, or not at all."""
    # The consent in effect on the issue date: the latest record taking effect on or before it
    # (EinvoiceConsentQuerySet.in_effect_on, in SQL). Only customers with any record are looked at.
    # Table names are the models' constants; every value is a parameter.
    in_effect = (
        f"SELECT e2.id FROM {CONSENTS} e2 WHERE e2.customer_id = i.customer_id "  # noqa: S608
        "AND e2.effective_from <= i.issue_date "
        "ORDER BY e2.effective_from DESC, e2.recorded_at DESC, e2.id DESC LIMIT 1"
    )
    changed = "e.email <> c.email"
    cursor.execute(
        f"INSERT INTO {DELIVERIES} (invoice_id, state, {connection.ops.quote_name('to')}, message_id, reason, "  # noqa: S608
        "attempts, failures, last_error, queued_at, next_attempt_at) "
        f"SELECT i.id, CASE WHEN {changed} THEN 'skipped' ELSE 'queued' END, e.email, "
        f"'<einvoice.' || {_random_sql(connection)} || '@' || %(domain)s || '>', "
        f"CASE WHEN {changed} THEN %(reason)s ELSE '' END, 0, 0, '', %(now)s, %(now)s "
        f"FROM {INVOICES} i JOIN {CUSTOMERS} c ON c.id = i.customer_id "
        f"JOIN {CONSENTS} e ON e.id = ({in_effect}) "
        "WHERE i.region_id = %(region)s AND i.created_at = %(created_at)s AND e.action = 'granted' "
        f"AND i.customer_id IN (SELECT customer_id FROM {CONSENTS}) "
        "ON CONFLICT (invoice_id) DO NOTHING RETURNING id, state",
        {
            "domain": message_domain(),
            "reason": address_changed_reason(),
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
            "region": region_id,
            "created_at": created_at,
        },
    )
    queued = [pk for pk, state in cursor.fetchall() if state == State.QUEUED]
    enqueue(queued)
    return queued


def queue_invoice(invoice):
    """The KSeF import's way: queue `invoice`'s e-mail (or record it skipped), if its customer consented on
    the issue date. Returns the delivery, or None without consent or when the invoice already has one.
    The caller enqueues the tasks (:func:`enqueue`), in its transaction."""
    consent = invoice.customer.einvoice_consent_on(invoice.issue_date)
    if consent is None or EinvoiceDelivery.objects.filter(invoice=invoice).exists():
        return None
    changed = consent.email != invoice.customer.email
    return EinvoiceDelivery.objects.create(
        invoice=invoice,
        state=State.SKIPPED if changed else State.QUEUED,
        to=consent.email,
        message_id=f"<einvoice.{uuid.uuid4().hex}@{message_domain()}>",
        reason=address_changed_reason() if changed else "",
        queued_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )


def enqueue(delivery_ids, *, batch=None):
    """Queue the sending of `delivery_ids`, `batch` (SEND_BATCH) to a task (in the caller's transaction)."""
    ids, batch = list(dict.fromkeys(delivery_ids)), batch or SEND_BATCH
    return [send_batch.enqueue(ids[start : start + batch]) for start in range(0, len(ids), batch)]


@task(priority=5)  # after mail a customer is waiting for (10), before PDF renders nobody asked for (0)
def send_batch(delivery_ids):
    """Send a batch of queued e-invoice e-mails; counts by outcome. One failing does not stop the others."""
    outcomes = {}
    for delivery_id in delivery_ids:
        try:
            outcome = send(delivery_id)
        except Exception:
            logger.exception("E-faktura (wysyłka %s) nie wysłana", delivery_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task(priority=5)
def send_one(delivery_id):
    """A retry of one delivery after a mail server error."""
    return send(delivery_id)


def _mine(delivery_id, claim):
    return EinvoiceDelivery.objects.filter(pk=delivery_id, attempts=claim)


def _claim(delivery_id):
    """Step 1: the row goes queued → sending for this worker only; its claim number, or None."""
    now = timezone.now()
    with transaction.atomic():
        # Not before its retry is due: a spare task (a duplicate, one re-enqueued by recover) must not use up the
        # attempts of a row waiting out an SMTP outage. A few seconds' grace for a task run just on time.
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLAIM_GRACE)
        claimed = EinvoiceDelivery.objects.filter(due, pk=delivery_id, state=State.QUEUED).update(
            state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now, handed_over_at=None
        )
        if not claimed:
            return None
        return EinvoiceDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)


def _build(delivery):
    """Step 2: the message, with the PDF (rendered now if it is not stored) and the QR code for what is due."""
    invoice = Invoice.objects.select_related("region", "customer__region").get(pk=delivery.invoice_id)
    delivery.invoice = invoice
    from invoices.views import download_name

    return emails.einvoice(
        delivery=delivery,
        pdf=invoice_pdf(invoice=invoice),
        filename=download_name(invoice.number, "pdf"),
        transfer=payment_qr.transfer(invoice),
    )


def _hand_over(delivery_id, claim):
    """Step 3: from here on the message may reach the customer; refused if the row is no longer ours."""
    if not _mine(delivery_id, claim).filter(state=State.SENDING).update(handed_over_at=timezone.now()):
        raise SendingStopped


def _record_sent(delivery_id, claim):
    """Step 5. Also over `unknown`: recovery may have judged this worker dead while the server was slow."""
    now = timezone.now()
    _mine(delivery_id, claim).filter(state__in=[State.SENDING, State.UNKNOWN]).update(
        state=State.SENT, sent_at=now, last_error=""
    )


def send(delivery_id):
    """Send one queued delivery, exactly once as far as eBOK can tell (module docstring); returns its state."""
    claim = _claim(delivery_id)
    if claim is None:
        return "not queued"
    delivery = EinvoiceDelivery.objects.select_related("invoice__customer").get(pk=delivery_id)
    if delivery.invoice.customer.email != delivery.to:  # staff changed the address since it was queued
        _mine(delivery_id, claim).filter(state=State.SENDING).update(
            state=State.SKIPPED, reason=address_changed_reason()
        )
        return State.SKIPPED
    try:
        message = _build(delivery)
        _hand_over(delivery_id, claim)
    except SendingStopped:
        return "taken over"
    except Exception as error:  # nothing left eBOK: safe to try again
        return _retry_or_fail(delivery, claim, error)
    try:
        message.send()
    except Exception as error:
        # The server refused or the connection broke: most likely not delivered, possibly accepted just before
        # the break. Tried again with the same Message-ID, which folds a second copy in the customer's mail.
        return _retry_or_fail(delivery, claim, error)
    _record_sent(delivery_id, claim)
    return State.SENT


def _retry_or_fail(delivery, claim, error):
    error_text = f"{type(error).__name__}: {error}"[:2000]  # the server's or the code's words, no content
    failures = delivery.failures + 1
    mine = _mine(delivery.pk, claim).filter(state=State.SENDING)
    if failures >= MAX_ATTEMPTS:
        mine.update(state=State.FAILED, failures=failures, last_error=error_text)
        logger.error("E-faktura (wysyłka %s) nie wysłana po %d próbach", delivery.pk, failures)
        return State.FAILED
    retry_at = timezone.now() + emails.backoff(failures)
    with transaction.atomic():
        if mine.update(
            state=State.QUEUED, failures=failures, last_error=error_text, next_attempt_at=retry_at, handed_over_at=None
        ):
            send_one.using(run_after=retry_at).enqueue(delivery.pk)
    return State.QUEUED


def recover(*, now=None):
    """What dead workers and lost tasks left behind (module docstring); returns (requeued, unknown, re-enqueued)."""
    now = now or timezone.now()
    stale = Q(state=State.SENDING, claimed_at__lt=now - SENDING_STALE)
    with transaction.atomic():
        never_left = list(
            EinvoiceDelivery.objects.filter(stale, handed_over_at__isnull=True).values_list("pk", flat=True)
        )
        requeued = EinvoiceDelivery.objects.filter(stale, pk__in=never_left, handed_over_at__isnull=True).update(
            state=State.QUEUED, next_attempt_at=now
        )
        unknown = EinvoiceDelivery.objects.filter(stale, handed_over_at__isnull=False).update(
            state=State.UNKNOWN,
            last_error=_(
                "Worker przerwał pracę po przekazaniu wiadomości serwerowi poczty, przed zapisaniem wyniku: "
                "nie wiadomo, czy ją przyjął. Nie wysłano ponownie samoczynnie."
            ),
        )
        lost = list(
            EinvoiceDelivery.objects.filter(state=State.QUEUED, next_attempt_at__lt=now - QUEUED_STALE).values_list(
                "pk", flat=True
            )
        )
        # Re-enqueued now: the next run of recover does not count them lost again and add one more task each.
        EinvoiceDelivery.objects.filter(pk__in=lost, state=State.QUEUED).update(next_attempt_at=now)
        enqueue(never_left + lost)
    return requeued, unknown, len(lost)


class ResendRefused(Exception):
    pass


RESENDABLE = [State.SENT, State.FAILED, State.UNKNOWN]


def resend(*, delivery, reason, staff=None):
    """Queue `delivery` again at staff's request, with the reason recorded (EinvoiceResend), to the address the
    consent named and with the same Message-ID. Only a delivery that is not waiting or being sent, and not one
    skipped for a changed address (that needs a new consent). Raises ResendRefused."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ResendRefused(_("Podaj powód ponownej wysyłki."))
    with transaction.atomic():
        locked = EinvoiceDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state not in RESENDABLE:
            raise ResendRefused(
                _("Wysyłki w stanie „%(state)s” nie można ponowić.") % {"state": locked.get_state_display()}
            )
        now = timezone.now()
        locked.resends.create(at=now, staff=staff, reason=reason[:500], state_before=locked.state)
        # A resend gets its full number of attempts again; `attempts` goes on counting claims.
        EinvoiceDelivery.objects.filter(pk=locked.pk).update(
            state=State.QUEUED, next_attempt_at=now, handed_over_at=None, failures=0
        )
        enqueue([locked.pk])
    delivery.refresh_from_db()
    return delivery
