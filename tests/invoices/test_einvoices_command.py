"""manage.py einvoices: lists what was not sent, recovers what dead workers left, resends failed ones."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from invoices import einvoice
from invoices.models import EinvoiceDelivery, EinvoiceResend
from tests.invoices.conftest import make_invoice
from tests.invoices.einvoices import consent, run_mail_tasks

State = EinvoiceDelivery.State


def einvoices(*args):
    out = io.StringIO()
    call_command("einvoices", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def deliveries(owner, staff_user):
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    made = [einvoice.queue_invoice(make_invoice(owner, f"FV/2026/10/{n:04d}", lines=False)) for n in (1, 2, 3)]
    EinvoiceDelivery.objects.filter(pk=made[0].pk).update(state=State.FAILED, last_error="SMTPDataError: 554")
    EinvoiceDelivery.objects.filter(pk=made[1].pk).update(state=State.SENT, sent_at=timezone.now())
    return made


def test_it_lists_the_failed_ones_with_their_error(deliveries):
    out = einvoices("--failed")
    assert f"{deliveries[0].pk}\tFV/2026/10/0001\t001234-0000\tzarzad@sm-zgoda.example\tnieudane" in out
    assert "SMTPDataError: 554" in out
    assert "FV/2026/10/0002" not in out
    assert "FV/2026/10/0003" not in out
    assert out.endswith("1 nieudana wysyłka.\n")


def test_without_failed_it_lists_everything_not_sent(deliveries):
    out = einvoices()
    assert "FV/2026/10/0001" in out
    assert "FV/2026/10/0003" in out
    assert "FV/2026/10/0002" not in out


def test_it_resends_failed_ones_with_the_reason_recorded(deliveries):
    out = einvoices("--resend", deliveries[0].pk, "--reason", "serwer poczty naprawiony")
    assert "W kolejce ponownie: 1 wysyłka." in out
    resend = EinvoiceResend.objects.get()
    assert (resend.delivery_id, resend.staff, resend.reason) == (deliveries[0].pk, None, "serwer poczty naprawiony")
    run_mail_tasks()
    assert [message.subject.split()[1] for message in mail.outbox] == ["FV/2026/10/0001"]


def test_a_resend_is_all_or_nothing_and_needs_a_reason(deliveries):
    with pytest.raises(CommandError, match="--reason"):
        einvoices("--resend", deliveries[0].pk)
    with pytest.raises(CommandError, match="Nie ma wysyłek o numerach: 999"):
        einvoices("--resend", deliveries[0].pk, 999, "--reason", "x")
    with pytest.raises(CommandError, match="w kolejce"):  # the third is still queued
        einvoices("--resend", deliveries[0].pk, deliveries[2].pk, "--reason", "x")
    assert not EinvoiceResend.objects.exists()
    assert EinvoiceDelivery.objects.get(pk=deliveries[0].pk).state == State.FAILED


def test_a_dry_run_resends_nothing(deliveries):
    assert "nic nie zapisano" in einvoices("--resend", deliveries[0].pk, "--reason", "x", "--dry-run")
    assert not EinvoiceResend.objects.exists()


def test_it_turns_a_stale_handed_over_claim_into_unknown_and_lists_it(deliveries):
    claim = einvoice._claim(deliveries[2].pk)
    einvoice._hand_over(deliveries[2].pk, claim)
    with time_machine.travel(timezone.now() + einvoice.SENDING_STALE + datetime.timedelta(minutes=1)):
        out = einvoices("--failed")
    assert "nieznany wynik 1" in out
    assert f"{deliveries[2].pk}\tFV/2026/10/0003" in out
    assert "nie wiadomo, czy wysłane" in out
