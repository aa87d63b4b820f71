"""The outbox: sent by the worker, retried with back-off after SMTP errors, sent once."""

import datetime
import io
import smtplib

import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accounts import emails
from accounts.models import EmailDelivery
from tests.accounts.conftest import request_password

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)


def test_the_worker_retries_after_an_smtp_error_and_sends_once(run_worker, client, owner, monkeypatch):
    real_send = mail.EmailMessage.send
    calls = []

    def flaky_send(message, *args, **kwargs):
        calls.append(message.subject)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", flaky_send)
    with time_machine.travel(START, tick=False) as clock:
        request_password(client)
        run_worker()
        delivery = EmailDelivery.objects.get()
        assert delivery.status == EmailDelivery.Status.RETRYING
        assert "SMTPServerDisconnected" in delivery.last_error
        assert mail.outbox == []
        run_worker()  # the retry waits for its time
        assert mail.outbox == []
        clock.shift(emails.backoff(1) + datetime.timedelta(seconds=1))
        run_worker()
        run_worker()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 2
    assert len(mail.outbox) == 1
    assert len(calls) == 2


def test_it_gives_up_after_the_last_attempt_and_keeps_the_record(run_worker, owner, monkeypatch):
    def broken_send(message, *args, **kwargs):
        raise smtplib.SMTPAuthenticationError(535, b"bad credentials")

    monkeypatch.setattr(mail.EmailMessage, "send", broken_send)
    delivery = emails.password_changed(customer=owner)
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(1, emails.MAX_ATTEMPTS + 1):
            run_worker()
            clock.shift(emails.backoff(attempt) + datetime.timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == emails.MAX_ATTEMPTS
    assert DBTaskResult.objects.ready().count() == 0


def test_an_email_is_not_queued_when_its_transaction_rolls_back(owner):
    from django.db import transaction

    try:
        with transaction.atomic():
            emails.password_changed(customer=owner)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert not EmailDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_every_kind_has_polish_text_and_html(run_worker, owner):
    emails.password_changed(customer=owner)
    emails.email_changed(customer=owner, old_email="stary@example.com")
    run_worker()
    subjects = [message.subject for message in mail.outbox]
    assert subjects == ["eBOK: hasło zostało zmienione", "eBOK: zmiana adresu e-mail"]
    for message in mail.outbox:
        assert message.alternatives[0].mimetype == "text/html"
        assert owner.code in message.body
    assert mail.outbox[1].to == ["stary@example.com"]
    assert "z***@sm-zgoda.example" in mail.outbox[1].body


def test_backoff_grows_and_is_capped():
    assert [emails.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert emails.backoff(20) == emails.MAX_BACKOFF


def test_the_one_time_password_never_reaches_logs_or_errors(run_worker, client, owner, caplog, monkeypatch):
    import logging
    import re

    from accounts.models import OneTimePassword

    caplog.set_level(logging.DEBUG)
    real_send = mail.EmailMessage.send
    sent = []

    def failing_then_sending(message, *args, **kwargs):
        sent.append(message.body)
        if len(sent) == 1:
            raise smtplib.SMTPDataError(451, b"temporary failure")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", failing_then_sending)
    with time_machine.travel(START, tick=False) as clock:
        request_password(client)
        run_worker()
        clock.shift(emails.backoff(1) + datetime.timedelta(seconds=1))
        run_worker()
    password = re.search(r"Hasło jednorazowe: (\S+)", mail.outbox[-1].body)[1]
    assert password not in caplog.text
    delivery = EmailDelivery.objects.get()
    assert password not in delivery.last_error
    assert password not in str(delivery.context)
    assert password not in str(list(DBTaskResult.objects.values()))
    assert password not in str(list(OneTimePassword.objects.values()))


def test_an_expired_password_is_not_mailed_late(run_worker, owner):
    from accounts import services

    with time_machine.travel(START, tick=False) as clock:
        services.password_request(region=owner.region, number=owner.number, sub_code=owner.sub_code)
        clock.shift(datetime.timedelta(hours=25))  # the worker was down for a day
        run_worker()
    assert mail.outbox == []
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.one_time_password.nonce == ""


def test_nothing_is_queued_for_an_empty_address(owner):
    owner.email = ""
    assert emails.password_changed(customer=owner) is None
    assert not EmailDelivery.objects.exists()


def test_housekeeping_requeues_what_a_dead_worker_left(run_worker, owner):
    with time_machine.travel(START, tick=False):
        delivery = emails.password_changed(customer=owner)
    DBTaskResult.objects.filter(id=delivery.task_id).update(status="RUNNING", started_at=START)  # worker died
    with time_machine.travel(START + datetime.timedelta(minutes=20), tick=False):
        call_command("accounts_housekeeping", stdout=io.StringIO())
        run_worker()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert len(mail.outbox) == 1


def test_housekeeping_leaves_waiting_retries_alone(owner):
    with time_machine.travel(START, tick=False):
        delivery = emails.password_changed(customer=owner)
    with time_machine.travel(START + datetime.timedelta(minutes=20), tick=False):
        call_command("accounts_housekeeping", stdout=io.StringIO())
    assert DBTaskResult.objects.filter(task_path="accounts.emails.deliver").count() == 1  # (and the heartbeat)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.QUEUED


def test_mail_goes_before_queued_pdf_renders(owner, monkeypatch):
    from invoices.tasks import enqueue_pdf_renders

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    enqueue_pdf_renders(["00000000-0000-4000-8000-000000000000"])  # an import queued renders first
    emails.password_changed(customer=owner)
    call_command("db_worker", "--batch", "--max-tasks", "1", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get(task_path="invoices.tasks.render_invoice_pdfs").status == "READY"
