"""The outbox: sent by the worker, retried with back-off after SMTP errors, sent once."""

import datetime
import smtplib

import time_machine
from django.core import mail
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
