"""Outage e-mails: one per event (published, expected end moved, ended) to each affected customer, exactly once.

Queueing (:func:`queue`). The event's rows are written by one INSERT … SELECT in the transaction that records
the event (publishing in the admin), and the worker's tasks with them, a batch of notices to a task: an outage
of 5,000 points queues its mails in a few statements and the admin answers at once. The recipients are the
active customers owning one of the outage's points, with an enrolled address, whose latest choice in Konto
did not switch the notices off (NoticeChoice). The table is unique on (event, customer) and the INSERT skips
rows that exist (ON CONFLICT DO NOTHING): publishing again — after adding points, say — queues mail only for
customers that had none for that event, and a customer with three affected points gets one e-mail.

Sending (:func:`send`) is the e-invoice's (invoices/einvoice.py): each step a conditional UPDATE, so that two
workers, or a task queued twice, cannot both send: claim ``queued → sending`` with ``attempts + 1`` (one
winner), build the message, mark ``handed_over_at``, hand it to the mail server, record ``sent``. A worker
killed in between leaves ``sending``: :func:`recover` (``manage.py outage_notices``, every 5 minutes from
ebok-einvoices.service) queues again one that never reached the mail server and marks ``unknown`` one that may
have; that one is never resent by itself (SMTP cannot promise exactly once). A retry carries the same Message-ID.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from accounts import emails
from customers.models import Customer, MeteringPoint
from outages.links import report_numbers
from outages.models import NoticeChoice, Outage, OutageEvent, OutageNotice, notices_enabled

logger = logging.getLogger(__name__)

State = OutageNotice.State

SEND_BATCH = 50  # notices per task: 5,000 customers are 100 task rows
MAX_ATTEMPTS = 10
# As for e-invoices: an SMTP exchange takes well under a minute; a retry waits in `queued`, not `sending`.
SENDING_STALE = datetime.timedelta(minutes=15)
QUEUED_STALE = datetime.timedelta(minutes=15)
CLAIM_GRACE = datetime.timedelta(seconds=5)

NOTICES = OutageNotice._meta.db_table
CUSTOMERS = Customer._meta.db_table
POINTS = MeteringPoint._meta.db_table
OUTAGE_POINTS = Outage.points.through._meta.db_table
EVENTS = OutageEvent._meta.db_table
CHOICES = NoticeChoice._meta.db_table


class SendingStopped(Exception):
    """The row is no longer this worker's: nothing is sent."""


def message_domain():
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >")
    return domain or "ebok.localhost"


def _random_sql():
    if connection.vendor == "postgresql":
        return "gen_random_uuid()::text"
    return "lower(hex(randomblob(16)))"


def queue(event, *, extra_customer_ids=(), affected=True, notified_before=False):
    """Queue `event`'s e-mail for every affected customer that has none yet (module docstring), and the tasks;
    returns the ids of the new notices. `extra_customer_ids`: customers told although their points are not
    among the outage's (the reporters of linked cases when it ends), with an address, whatever their choice;
    with `affected` False, only those. With `notified_before`, only the affected customers that an earlier
    e-mail about the outage went or goes to (a cancellation: no one else heard of the shutdown)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = {
        "event": event.pk,
        "outage": event.outage_id,
        "now": now,
        "domain": message_domain(),
        "true": True,
        "false": False,
    }
    # The latest choice of the customer, on when there is none (outages.models.notices_enabled, in SQL).
    enabled = (
        f"COALESCE((SELECT s.enabled FROM {CHOICES} s WHERE s.customer_id = c.id "  # noqa: S608
        "ORDER BY s.recorded_at DESC, s.id DESC LIMIT 1), %(true)s) = %(true)s"
    )
    affected_sql = (
        f"c.id IN (SELECT p.customer_id FROM {POINTS} p JOIN {OUTAGE_POINTS} op ON op.meteringpoint_id = p.id "  # noqa: S608
        f"WHERE op.outage_id = %(outage)s) AND {enabled}"
    )
    if notified_before:
        affected_sql += (
            f" AND c.id IN (SELECT n.customer_id FROM {NOTICES} n JOIN {EVENTS} e ON e.id = n.event_id "  # noqa: S608
            "WHERE e.outage_id = %(outage)s AND e.id <> %(event)s AND n.state IN ('queued', 'sending', 'sent', "
            "'unknown'))"
        )
    recipients, reporter = (affected_sql if affected else "1 = 0"), "%(false)s"
    if extra_customer_ids:
        extra = ", ".join(str(int(pk)) for pk in extra_customer_ids)
        recipients = f"(({recipients}) OR c.id IN ({extra}))"
        reporter = f"CASE WHEN c.id IN ({extra}) THEN %(true)s ELSE %(false)s END"
    elif not affected:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {NOTICES} (event_id, customer_id, {connection.ops.quote_name('to')}, reporter, state, "  # noqa: S608
            "message_id, reason, attempts, failures, last_error, queued_at, next_attempt_at) "
            f"SELECT %(event)s, c.id, c.email, {reporter}, 'queued', "
            f"'<outage.' || {_random_sql()} || '@' || %(domain)s || '>', "
            "'', 0, 0, '', %(now)s, %(now)s "
            f"FROM {CUSTOMERS} c WHERE c.active = %(true)s AND c.email <> '' AND {recipients} "
            "ON CONFLICT (event_id, customer_id) DO NOTHING RETURNING id",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
    enqueue(ids)
    return ids


def enqueue(notice_ids, *, batch=None):
    """Queue the sending of `notice_ids`, `batch` (SEND_BATCH) to a task, in the caller's transaction."""
    ids, batch = list(dict.fromkeys(notice_ids)), batch or SEND_BATCH
    return [send_batch.enqueue(ids[start : start + batch]) for start in range(0, len(ids), batch)]


@task(priority=8)  # after a password a customer waits for (10), before e-invoices (5) and PDF renders (0)
def send_batch(notice_ids):
    """Send a batch of queued outage e-mails; counts by outcome. One failing does not stop the others."""
    outcomes = {}
    for notice_id in notice_ids:
        try:
            outcome = send(notice_id)
        except Exception:
            logger.exception("Powiadomienie o awarii %s nie wysłane", notice_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task(priority=8)
def send_one(notice_id):
    """A retry of one notice after a mail server error."""
    return send(notice_id)


def _mine(notice_id, claim):
    return OutageNotice.objects.filter(pk=notice_id, attempts=claim)


def _claim(notice_id):
    now = timezone.now()
    with transaction.atomic():
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLAIM_GRACE)
        claimed = OutageNotice.objects.filter(due, pk=notice_id, state=State.QUEUED).update(
            state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now, handed_over_at=None
        )
        if not claimed:
            return None
        return OutageNotice.objects.values_list("attempts", flat=True).get(pk=notice_id)


def _skip_reason(notice):
    """Why a claimed notice must not go after all, or "": the address changed, the customer no longer owns any of
    the outage's points (an import moved them), or the customer switched off. A reporter of a linked case is told
    of the end whatever it owns: it asked."""
    customer = notice.customer
    if customer.email != notice.to:
        return _("adres e-mail zmieniono po zakolejkowaniu")
    if not notice.reporter and not notice.event.outage.points.filter(customer_id=customer.pk).exists():
        return _("odbiorca nie ma już punktów poboru objętych awarią")
    if not notices_enabled(customer) and not notice.reporter:
        return _("odbiorca wyłączył powiadomienia o awariach")
    return ""


def _build(notice):
    event = notice.event
    outage = event.outage
    addresses = list(
        outage.points.filter(customer_id=notice.customer_id).order_by("identifier").values_list("address", flat=True)
    )
    reports = report_numbers(outage=outage, customer_id=notice.customer_id) if notice.reporter else []
    return emails.outage_notice(notice=notice, outage=outage, event=event, addresses=addresses, reports=reports)


def send(notice_id):
    """Send one queued notice, exactly once as far as eBOK can tell (module docstring); returns its state."""
    claim = _claim(notice_id)
    if claim is None:
        return "not queued"
    notice = OutageNotice.objects.select_related("event__outage__region", "customer__region").get(pk=notice_id)
    if reason := _skip_reason(notice):
        _mine(notice_id, claim).filter(state=State.SENDING).update(state=State.SKIPPED, reason=reason)
        return State.SKIPPED
    try:
        message = _build(notice)
        if not _mine(notice_id, claim).filter(state=State.SENDING).update(handed_over_at=timezone.now()):
            raise SendingStopped
    except SendingStopped:
        return "taken over"
    except Exception as error:  # nothing left eBOK: safe to try again
        return _retry_or_fail(notice, claim, error)
    try:
        message.send()
    except Exception as error:
        return _retry_or_fail(notice, claim, error)
    _mine(notice_id, claim).filter(state__in=[State.SENDING, State.UNKNOWN]).update(
        state=State.SENT, sent_at=timezone.now(), last_error=""
    )
    return State.SENT


def _retry_or_fail(notice, claim, error):
    error_text = f"{type(error).__name__}: {error}"[:2000]
    failures = notice.failures + 1
    mine = _mine(notice.pk, claim).filter(state=State.SENDING)
    if failures >= MAX_ATTEMPTS:
        mine.update(state=State.FAILED, failures=failures, last_error=error_text)
        logger.error("Powiadomienie o awarii %s nie wysłane po %d próbach", notice.pk, failures)
        return State.FAILED
    retry_at = timezone.now() + emails.backoff(failures)
    with transaction.atomic():
        if mine.update(
            state=State.QUEUED, failures=failures, last_error=error_text, next_attempt_at=retry_at, handed_over_at=None
        ):
            send_one.using(run_after=retry_at).enqueue(notice.pk)
    return State.QUEUED


def recover(*, now=None, dry_run=False):
    """What dead workers and lost tasks left (module docstring); returns (requeued, unknown, re-enqueued)."""
    now = now or timezone.now()
    stale = Q(state=State.SENDING, claimed_at__lt=now - SENDING_STALE)
    lost_q = Q(state=State.QUEUED, next_attempt_at__lt=now - QUEUED_STALE)
    with transaction.atomic():
        never_left = list(OutageNotice.objects.filter(stale, handed_over_at__isnull=True).values_list("pk", flat=True))
        maybe_sent = OutageNotice.objects.filter(stale, handed_over_at__isnull=False)
        lost = list(OutageNotice.objects.filter(lost_q).values_list("pk", flat=True))
        if dry_run:
            return len(never_left), maybe_sent.count(), len(lost)
        OutageNotice.objects.filter(stale, pk__in=never_left, handed_over_at__isnull=True).update(
            state=State.QUEUED, next_attempt_at=now
        )
        unknown = maybe_sent.update(
            state=State.UNKNOWN,
            last_error=_(
                "Worker przerwał pracę po przekazaniu wiadomości serwerowi poczty, przed zapisaniem wyniku: "
                "nie wiadomo, czy ją przyjął. Nie wysłano ponownie samoczynnie."
            ),
        )
        OutageNotice.objects.filter(pk__in=lost, state=State.QUEUED).update(next_attempt_at=now)
        enqueue(never_left + lost)
    return len(never_left), unknown, len(lost)
