"""The e-invoice e-mail: what it carries, and that the worker sends it once whatever happens to the worker."""

import datetime
import email
import email.policy
import io
import threading

import pytest
import time_machine
import zxingcpp
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from invoices import einvoice, payment_qr
from invoices.models import EinvoiceDelivery, EinvoiceResend
from tests.invoices.conftest import make_invoice, make_payment
from tests.invoices.einvoices import consent, mail_task_ids, run_mail_tasks

State = EinvoiceDelivery.State
CONSENT_DAY = datetime.date(2026, 11, 1)  # the test invoices are issued on 3.11.2026


class Killed(BaseException):
    """The worker's process ends here: nothing after it runs, no `except Exception` catches it."""


@pytest.fixture
def consenting(owner, staff_user):
    consent(owner, CONSENT_DAY, staff=staff_user)
    return owner


@pytest.fixture
def delivery(consenting):
    invoice = make_invoice(consenting)
    queued = einvoice.queue_invoice(invoice)
    einvoice.enqueue([queued.pk])
    return queued


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def normalised(text):
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_it_sends_one_mail_to_the_consented_address_with_its_message_id(delivery):
    assert run_mail_tasks() == [{State.SENT: 1}]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["zarzad@sm-zgoda.example"]
    assert sent.from_email == settings.EINVOICE_FROM_EMAIL
    assert sent.reply_to == settings.EINVOICE_REPLY_TO
    assert parsed(sent)["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SENT, 1)
    assert delivery.sent_at is not None


def test_the_bodies_name_number_period_gross_due_date_account_and_a_plain_link(delivery):
    run_mail_tasks()
    sent = mail.outbox[0]
    invoice = delivery.invoice
    link = settings.EBOK_BASE_URL + reverse("invoices:detail", args=[invoice.public_id])
    html = sent.alternatives[0][0]
    for body in (normalised(sent.body), normalised(html)):
        assert "FV/2026/10/0001" in body
        assert "01.10.2026 – 31.10.2026" in body
        assert "1 230,00 zł" in body
        assert "17.11.2026" in body
        assert "61 1090 1014 0000 0712 1981 2874" in body
        assert link in body
    assert sent.subject == "E-faktura FV/2026/10/0001 — SCE Jaworzno III"
    assert f'href="{link}"' in html
    # The link is the page's address and nothing else: no token, no query, no secret.
    assert link == f"{settings.EBOK_BASE_URL}/faktury/{invoice.public_id}/"


def test_the_link_leads_to_the_login_protected_page(delivery, client):
    response = client.get(reverse("invoices:detail", args=[delivery.invoice.public_id]))
    assert response.status_code == 302
    assert response.url == reverse("landing")


def test_the_attached_pdf_opens_and_carries_the_number_and_amount(delivery):
    run_mail_tasks()
    (name, content, mimetype) = next(a for a in mail.outbox[0].attachments if isinstance(a, tuple))
    assert (name, mimetype) == ("FV_2026_10_0001.pdf", "application/pdf")
    text = normalised("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
    assert "FV/2026/10/0001" in text
    assert "1 230,00" in text
    delivery.invoice.refresh_from_db()
    assert delivery.invoice.pdf  # rendered by the worker first, and stored


def test_the_inline_qr_code_decodes_to_the_transfer_of_what_is_due(delivery):
    run_mail_tasks()
    message = parsed(mail.outbox[0])
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1
    assert images[0]["Content-ID"] == "<transfer-qr@ebok>"
    assert 'src="cid:transfer-qr@ebok"' in mail.outbox[0].alternatives[0][0]
    with Image.open(io.BytesIO(images[0].get_content())) as image:
        codes = [code.text for code in zxingcpp.read_barcodes(image)]
    assert codes == [payment_qr.payload(delivery.invoice)]
    assert "|123000|" in codes[0]
    assert "Do zapłaty pozostaje 1 230,00 zł" in normalised(mail.outbox[0].body)


def test_a_paid_invoice_goes_without_a_code_and_without_an_amount_to_pay(delivery):
    make_payment(delivery.invoice.customer, "1230.00", invoice=delivery.invoice)
    run_mail_tasks()
    message = parsed(mail.outbox[0])
    assert not [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert "Do zapłaty" not in mail.outbox[0].body


def test_a_second_task_for_the_same_delivery_sends_nothing(delivery):
    einvoice.enqueue([delivery.pk])
    run_mail_tasks()
    assert len(mail.outbox) == 1
    assert einvoice.send(delivery.pk) == "not queued"
    assert len(mail.outbox) == 1


def test_the_database_refuses_a_second_delivery_of_an_invoice(delivery):
    from django.db import IntegrityError, transaction

    assert einvoice.queue_invoice(delivery.invoice) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        EinvoiceDelivery.objects.create(
            invoice=delivery.invoice, to="x@example.com", message_id="<other@x>", queued_at=timezone.now()
        )


def _kill(monkeypatch, step):
    """Make the worker die at `step` of einvoice.send."""

    def die(*args, **kwargs):
        raise Killed

    if step == "build":
        monkeypatch.setattr(einvoice, "_build", die)
    elif step == "hand_over":
        monkeypatch.setattr(einvoice, "_hand_over", die)
    elif step == "smtp":
        monkeypatch.setattr("django.core.mail.EmailMessage.send", die)
    elif step == "record":
        monkeypatch.setattr(einvoice, "_record_sent", die)


@pytest.mark.parametrize(
    ("step", "mails_at_death", "after_recovery"),
    [
        ("build", 0, State.QUEUED),  # nothing left eBOK: queued again by itself
        ("hand_over", 0, State.QUEUED),
        ("smtp", 0, State.UNKNOWN),  # handed over: the server may have it; staff decide
        ("record", 1, State.UNKNOWN),
    ],
)
def test_a_killed_worker_never_causes_a_second_mail(delivery, monkeypatch, step, mails_at_death, after_recovery):
    with monkeypatch.context() as patched:
        _kill(patched, step)
        with pytest.raises(Killed):
            run_mail_tasks()
    assert len(mail.outbox) == mails_at_death
    delivery.refresh_from_db()
    assert delivery.state == State.SENDING
    assert einvoice.recover() == (0, 0, 0)  # a claim younger than SENDING_STALE is a live worker's
    later = timezone.now() + einvoice.SENDING_STALE + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):  # manage.py einvoices, run from cron after the claim went stale
        einvoice.recover()
        delivery.refresh_from_db()
        assert delivery.state == after_recovery
        run_mail_tasks()
        run_mail_tasks()
    delivery.refresh_from_db()
    if after_recovery == State.QUEUED:
        assert (len(mail.outbox), delivery.state) == (1, State.SENT)
    else:
        assert (len(mail.outbox), delivery.state) == (mails_at_death, State.UNKNOWN)
        assert "nie wiadomo" in delivery.last_error


def test_a_worker_judged_dead_cannot_send_after_the_row_was_taken_back(delivery):
    claim = einvoice._claim(delivery.pk)
    with time_machine.travel(timezone.now() + einvoice.SENDING_STALE + datetime.timedelta(seconds=1), tick=False):
        einvoice.recover()
        with pytest.raises(einvoice.SendingStopped):
            einvoice._hand_over(delivery.pk, claim)
        assert einvoice.send(delivery.pk) == State.SENT  # the new claim sends it, once
    assert len(mail.outbox) == 1


def test_a_mail_server_error_is_retried_later_then_fails(delivery, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    monkeypatch.setattr(einvoice, "MAX_ATTEMPTS", 3)
    assert run_mail_tasks() == [{State.QUEUED: 1}]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failures) == (State.QUEUED, 1)
    assert delivery.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert mail_task_ids() == [delivery.pk]  # one retry, after the back-off
    assert einvoice.send(delivery.pk) == "not queued"  # a spare task before the retry is due uses no attempt
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.QUEUED, 1)
    for _ in range(2):  # each retry's task, when its wait is over
        with time_machine.travel(EinvoiceDelivery.objects.get(pk=delivery.pk).next_attempt_at, tick=False):
            results = run_mail_tasks()
    assert results[-1] == State.FAILED
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failures, delivery.attempts) == (State.FAILED, 3, 3)
    assert mail_task_ids() == []


def test_a_resend_is_recorded_with_its_reason_and_keeps_the_message_id(delivery, staff_user):
    run_mail_tasks()
    einvoice.resend(delivery=delivery, reason="  Odbiorca nie dostał  wiadomości ", staff=staff_user)
    run_mail_tasks()
    assert len(mail.outbox) == 2
    assert parsed(mail.outbox[1])["Message-ID"] == parsed(mail.outbox[0])["Message-ID"] == delivery.message_id
    resend = EinvoiceResend.objects.get()
    assert (resend.delivery, resend.staff, resend.reason, resend.state_before) == (
        delivery,
        staff_user,
        "Odbiorca nie dostał wiadomości",
        State.SENT,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_resend_needs_a_reason(delivery, reason):
    run_mail_tasks()
    with pytest.raises(einvoice.ResendRefused, match="Podaj powód"):
        einvoice.resend(delivery=delivery, reason=reason)
    assert not EinvoiceResend.objects.exists()


def test_a_queued_or_skipped_delivery_cannot_be_resent(delivery):
    with pytest.raises(einvoice.ResendRefused, match="w kolejce"):
        einvoice.resend(delivery=delivery, reason="x")
    EinvoiceDelivery.objects.filter(pk=delivery.pk).update(state=State.SKIPPED, reason="adres zmieniono")
    with pytest.raises(einvoice.ResendRefused, match="pominięte"):
        einvoice.resend(delivery=delivery, reason="x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers need two real connections (PostgreSQL)")
def test_two_workers_side_by_side_send_each_invoice_once(committed_regions, transactional_db, owner, staff_user):
    consent(owner, CONSENT_DAY, staff=staff_user)
    ids = [einvoice.queue_invoice(make_invoice(owner, f"FV/2026/10/{n:04d}", lines=False)).pk for n in range(12)]
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            results.append(einvoice.send_batch.call(ids))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(message.subject for message in mail.outbox) == sorted(
        f"E-faktura FV/2026/10/{n:04d} — SCE Jaworzno III" for n in range(12)
    )
    assert sum(result.get(State.SENT, 0) for result in results) == 12
    assert set(EinvoiceDelivery.objects.values_list("state", flat=True)) == {State.SENT}


def test_an_address_changed_after_queueing_is_not_mailed(delivery):
    owner = delivery.invoice.customer
    owner.email = "nowy@sm-zgoda.example"
    owner.save()
    assert run_mail_tasks() == [{State.SKIPPED: 1}]
    assert mail.outbox == []
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (State.SKIPPED, einvoice.address_changed_reason())


def test_the_html_footer_does_not_say_not_to_reply(delivery):
    run_mail_tasks()
    html = mail.outbox[0].alternatives[0][0]
    assert "Nie odpowiadaj" not in html
    assert "Pracownicy nigdy nie proszą o hasło." in html


def test_recovery_re_enqueues_a_lost_task_once_not_on_every_run(delivery):
    """A queued row whose task was lost gets one new task; the next runs of manage.py einvoices add none."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the task is lost
    later = timezone.now() + einvoice.QUEUED_STALE + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert einvoice.recover() == (0, 0, 1)
        for _ in range(4):
            assert einvoice.recover() == (0, 0, 0)
    assert mail_task_ids() == [delivery.pk]
