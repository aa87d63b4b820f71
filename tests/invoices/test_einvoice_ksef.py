"""The KSeF import queues the e-invoice e-mail of each new invoice of a consenting customer, once."""

import datetime
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from customers.models import Customer, Region
from invoices.models import EinvoiceDelivery, Invoice
from tests.invoices.einvoices import consent, mail_task_ids, run_mail_tasks

SAMPLES = Path(__file__).parent / "ksef_samples"
State = EinvoiceDelivery.State


@pytest.fixture
def buyer(jaworzno):
    Region.objects.update(seller_nip="9999999999")  # the Ministry's samples' seller (test_import_ksef.py)
    return Customer.objects.create(
        region=jaworzno,
        number="001234",
        name="Kupujący",
        email="kupujacy@example.com",
        email_requested_on=datetime.date(2026, 1, 2),
    )


def run(*paths):
    call_command("import_ksef", *map(str, paths), "--region", "jaworzno", "--customer", "1234", stdout=io.StringIO())


def test_a_new_invoice_and_its_correction_are_queued_and_mailed_once(buyer, staff_user):
    consent(buyer, datetime.date(2026, 1, 5), staff=staff_user)  # before both samples' issue dates
    run(SAMPLES / "FA_3_Przykład_1.xml")
    run(SAMPLES / "FA_3_Przykład_1.xml", SAMPLES / "FA_3_Przykład_2.xml")  # the first again, unchanged
    assert sorted(d.invoice.number for d in EinvoiceDelivery.objects.all()) == ["FK2026/03/200", "FV2026/02/150"]
    assert mail_task_ids() == sorted(EinvoiceDelivery.objects.values_list("pk", flat=True))
    run_mail_tasks()
    run(SAMPLES / "FA_3_Przykład_1.xml", SAMPLES / "FA_3_Przykład_2.xml")
    run_mail_tasks()
    assert sorted(message.subject.split()[-5] for message in mail.outbox) == ["FK2026/03/200", "FV2026/02/150"]
    assert {message.to[0] for message in mail.outbox} == {"kupujacy@example.com"}


def test_nothing_is_queued_without_consent_or_before_it(buyer, staff_user):
    run(SAMPLES / "FA_3_Przykład_1.xml")
    consent(buyer, Invoice.objects.get().issue_date + datetime.timedelta(days=1), staff=staff_user)
    run(SAMPLES / "FA_3_Przykład_1.xml", SAMPLES / "FA_3_Przykład_2.xml")
    correction = Invoice.objects.get(kind="KOR")
    assert correction.issue_date > Invoice.objects.get(kind="VAT").issue_date
    assert [d.invoice for d in EinvoiceDelivery.objects.all()] == [correction]


def test_an_address_changed_after_the_consent_is_recorded_as_skipped(buyer, staff_user):
    consent(buyer, datetime.date(2026, 1, 5), staff=staff_user, email="stary@example.com")
    run(SAMPLES / "FA_3_Przykład_1.xml")
    delivery = EinvoiceDelivery.objects.get()
    assert (delivery.state, delivery.to) == (State.SKIPPED, "stary@example.com")
    assert "nowa zgoda" in delivery.reason
    assert mail_task_ids() == []
