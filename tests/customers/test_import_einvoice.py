"""The CSV import queues one e-invoice e-mail per new invoice of a consenting customer, in its transaction."""

import datetime

import pytest
from django.core import mail

from customers.models import EinvoiceConsent
from invoices import einvoice
from invoices.models import EinvoiceDelivery
from tests.customers.importing import EXPORT, changed, refused, run_import, write_export
from tests.invoices.einvoices import consent, mail_task_ids, run_mail_tasks

State = EinvoiceDelivery.State
# The export's invoices: FV/2026/11/0001 issued 4.11.2026, its correction KOR/2026/11/0001 on 20.11.2026.
NUMBERS = ["FV/2026/11/0001", "KOR/2026/11/0001"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def deliveries():
    return {d.invoice.number: (d.state, d.to) for d in EinvoiceDelivery.objects.select_related("invoice")}


def test_it_queues_the_new_invoice_and_correction_of_a_consenting_customer(owner, staff_user, tmp_path):
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    run_import(write_export(tmp_path / "export"))
    assert deliveries() == dict.fromkeys(NUMBERS, (State.QUEUED, "zarzad@sm-zgoda.example"))
    assert mail_task_ids() == sorted(EinvoiceDelivery.objects.values_list("pk", flat=True))


def test_a_re_import_queues_nothing_and_each_invoice_is_mailed_once(owner, staff_user, tmp_path):
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    folder = write_export(tmp_path / "export")
    run_import(folder)
    run_mail_tasks()
    run_import(folder)
    assert mail_task_ids() == []
    run_mail_tasks()
    assert sorted(message.subject.split()[-5] for message in mail.outbox) == NUMBERS
    assert set(EinvoiceDelivery.objects.values_list("state", flat=True)) == {State.SENT}


def test_invoices_issued_before_the_consent_took_effect_are_not_sent(owner, staff_user, tmp_path):
    consent(owner, datetime.date(2026, 11, 10), staff=staff_user)
    run_import(write_export(tmp_path / "export"))
    assert deliveries() == {"KOR/2026/11/0001": (State.QUEUED, "zarzad@sm-zgoda.example")}


def test_without_consent_or_after_a_withdrawal_nothing_is_queued(owner, staff_user, tmp_path):
    consent(owner, datetime.date(2026, 10, 1), staff=staff_user)
    consent(owner, datetime.date(2026, 11, 2), staff=staff_user, action=EinvoiceConsent.Action.WITHDRAWN, email="")
    run_import(write_export(tmp_path / "export"))
    assert deliveries() == {}
    assert mail_task_ids() == []


def test_an_address_changed_after_the_consent_is_skipped_with_the_reason(owner, staff_user, tmp_path):
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user, email="stary@sm-zgoda.example")
    run_import(write_export(tmp_path / "export"))
    assert deliveries() == dict.fromkeys(NUMBERS, (State.SKIPPED, "stary@sm-zgoda.example"))
    assert set(EinvoiceDelivery.objects.values_list("reason", flat=True)) == {einvoice.address_changed_reason()}
    assert mail_task_ids() == []
    run_mail_tasks()
    assert mail.outbox == []


def test_another_customers_consent_sends_nothing_to_this_one(owner, sibling, staff_user, tmp_path):
    sibling.email, sibling.email_requested_on = "b@sm-zgoda.example", datetime.date(2026, 10, 1)
    sibling.save()  # a sub-customer of the same code: the export's invoices are the owner's
    consent(sibling, datetime.date(2026, 11, 1), staff=staff_user)
    run_import(write_export(tmp_path / "export"))
    assert deliveries() == {}


def test_a_dry_run_or_a_refused_import_queues_nothing(owner, staff_user, tmp_path):
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    run_import(write_export(tmp_path / "export"), "--dry-run")
    assert deliveries() == {}
    refused(write_export(tmp_path / "bad", changed("faktury.csv", 3, "brutto", "-99,99", EXPORT)))
    assert deliveries() == {}
    assert mail_task_ids() == []


def test_deliveries_are_queued_to_the_worker_in_batches(owner, staff_user, tmp_path, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(einvoice, "SEND_BATCH", 1)
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    run_import(write_export(tmp_path / "export"))
    assert DBTaskResult.objects.filter(task_path="invoices.einvoice.send_batch").count() == 2
    assert [len(result.args[0]) for result in einvoice.enqueue(list(range(45)), batch=20)] == [20, 20, 5]


def test_the_import_committing_on_its_own_commits_the_deliveries_and_their_tasks(
    committed_regions, transactional_db, owner, staff_user, tmp_path
):
    """As an operator runs it (on PostgreSQL: staged in a schema, checked beside the writes), then refused."""
    consent(owner, datetime.date(2026, 11, 1), staff=staff_user)
    run_import(write_export(tmp_path / "export"))
    assert deliveries() == dict.fromkeys(NUMBERS, (State.QUEUED, "zarzad@sm-zgoda.example"))
    assert mail_task_ids() == sorted(EinvoiceDelivery.objects.values_list("pk", flat=True))
    run_mail_tasks()
    bad = changed("faktury.csv", 3, "numer", "KOR/2026/11/0002", EXPORT)
    refused(write_export(tmp_path / "bad", changed("faktury.csv", 3, "brutto", "-99,99", bad)))
    assert EinvoiceDelivery.objects.count() == 2
    assert mail_task_ids() == []
    assert len(mail.outbox) == 2
