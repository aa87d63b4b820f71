"""The e-invoice e-mail through a real SMTP server (aiosmtpd): as a mail server receives it, once."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from invoices import einvoice
from invoices.models import EinvoiceDelivery
from tests.invoices.conftest import make_invoice
from tests.invoices.einvoices import consent, run_mail_tasks


class Mailbox:
    """An aiosmtpd handler keeping what it accepts, or refusing every message with `refuse`."""

    def __init__(self, refuse=None):
        self.received, self.refuse = [], refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def delivery(owner, staff_user, settings):
    settings.EINVOICE_FROM_EMAIL = "SCE Jaworzno III <e-faktury@sce-jaworzno.example>"
    settings.EINVOICE_REPLY_TO = ["bok@sce-jaworzno.example"]
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    queued = einvoice.queue_invoice(make_invoice(owner))
    einvoice.enqueue([queued.pk])
    return queued


def test_the_mail_server_gets_one_message_with_sender_reply_to_message_id_and_pdf(smtp_server, delivery):
    mailbox = smtp_server(Mailbox())
    run_mail_tasks()
    run_mail_tasks()
    assert len(mailbox.received) == 1
    mail_from, recipients, content = mailbox.received[0]
    assert (mail_from, recipients) == ("e-faktury@sce-jaworzno.example", ["zarzad@sm-zgoda.example"])
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Message-ID"] == delivery.message_id
    assert message["Reply-To"] == "bok@sce-jaworzno.example"
    assert delivery.message_id.endswith("@sce-jaworzno.example>")
    pdf = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf[0].get_filename() == "FV_2026_10_0001.pdf"
    assert pdf[0].get_content().startswith(b"%PDF-")
    assert EinvoiceDelivery.objects.get().state == EinvoiceDelivery.State.SENT


def test_a_message_the_server_refuses_is_queued_for_a_retry_with_the_servers_answer(smtp_server, delivery):
    smtp_server(Mailbox(refuse="554 5.7.1 Message rejected"))
    run_mail_tasks()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failures) == (EinvoiceDelivery.State.QUEUED, 1)
    assert "554" in delivery.last_error
    assert "Message rejected" in delivery.last_error
