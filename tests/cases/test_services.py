"""The engine of cases: numbers, due dates, statuses with their history, files stored or nothing."""

import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage

from accounts.models import EmailDelivery
from cases import services
from cases.models import Case, Message, StatusChange
from tests.cases.conftest import file_case, pdf_bytes, upload


def test_numbers_are_per_region_and_year(owner, sibling, stranger):
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC)):
        first, second, other_region = file_case(owner), file_case(sibling), file_case(stranger)
    with time_machine.travel(datetime.datetime(2027, 1, 2, 12, tzinfo=datetime.UTC)):
        next_year = file_case(owner)
    assert [first.number, second.number, other_region.number] == ["JAW/2026/00001", "JAW/2026/00002", "BCS/2026/00001"]
    assert next_year.number == "JAW/2027/00001"


def test_a_complaint_is_due_14_days_after_filing_and_a_request_30(owner):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        complaint = file_case(owner, kind=Case.Kind.COMPLAINT)
        request = file_case(owner, kind=Case.Kind.OTHER)
    assert complaint.due_on == datetime.date(2026, 12, 4)
    assert request.due_on == datetime.date(2026, 12, 20)


def test_filing_records_the_first_status_and_queues_the_receipt(owner):
    case = file_case(owner)
    assert [(c.old_status, c.new_status) for c in case.status_changes.all()] == [("", "new")]
    assert EmailDelivery.objects.get(kind="case_filed").context["case_number"] == case.number


def test_an_answer_is_recorded_and_noticed_a_note_is_neither(owner, staff_user):
    case = file_case(owner)
    services.case_note(case=case, user=staff_user, body="Sprawdzić odczyt z 10.11.")
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    assert not EmailDelivery.objects.filter(kind="case_answered").exists()
    services.case_answer(case=case, user=staff_user, body="Korekta zostanie wystawiona.")
    case.refresh_from_db()
    assert case.status == Case.Status.ANSWERED
    assert EmailDelivery.objects.filter(kind="case_answered").count() == 1
    assert "Sprawdzić" not in str(EmailDelivery.objects.values_list("context", flat=True))


def test_a_customer_message_reopens_a_case_closed_less_than_30_days_ago(owner, owner_case):
    user = owner_case.messages.first().user
    services.case_close(case=owner_case, user=user)
    with time_machine.travel(datetime.timedelta(days=29)):
        services.case_post_customer_message(case=owner_case, user=user, body="Jednak jeszcze pytanie.")
    owner_case.refresh_from_db()
    assert owner_case.status == Case.Status.IN_PROGRESS
    assert owner_case.closed_at is None
    assert list(StatusChange.objects.filter(case=owner_case).values_list("new_status", flat=True)) == [
        "new",
        "closed",
        "in_progress",
    ]


def test_a_case_closed_30_days_ago_takes_no_message(owner_case):
    user = owner_case.messages.first().user
    services.case_close(case=owner_case, user=user)
    with time_machine.travel(datetime.timedelta(days=30, seconds=1)), pytest.raises(services.CaseError):
        services.case_post_customer_message(case=owner_case, user=user, body="Halo?")
    assert owner_case.messages.count() == 1


def test_files_stored_for_a_change_that_fails_are_removed(owner, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("accounts.emails.case_filed", fail)
    with pytest.raises(RuntimeError):
        file_case(owner, files=[upload("pismo.pdf", pdf_bytes())])
    assert not Case.objects.exists()
    assert not Message.objects.exists()
    assert not list(_walk("cases"))


def test_files_of_a_change_are_stored_under_random_names(owner, media_root):
    case = file_case(owner, files=[upload("../../etc/faktura 10.exe", pdf_bytes())])
    attachment = case.messages.get().attachments.get()
    assert attachment.name == "faktura 10.pdf"
    assert attachment.content_type == "application/pdf"
    assert list(_walk("cases")) == [attachment.file.name]
    assert "faktura" not in attachment.file.name
    assert (media_root / attachment.file.name).read_bytes() == pdf_bytes()


def _walk(folder):
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    yield from (f"{folder}/{name}" for name in files)
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def test_a_closed_case_takes_no_answer(owner_case, staff_user):
    """An answer would reopen a closed case unseen, past the customer's 30 days: staff set it in progress first."""
    services.case_close(case=owner_case, user=staff_user)
    with pytest.raises(services.CaseError):
        services.case_answer(case=owner_case, user=staff_user, body="Odpowiedź po zamknięciu.")
    owner_case.refresh_from_db()
    assert owner_case.status == Case.Status.CLOSED
    assert owner_case.last_answer_at is None
    assert owner_case.messages.count() == 1
    assert not EmailDelivery.objects.filter(kind="case_answered").exists()


def test_new_years_eve_late_in_utc_is_already_the_new_year_in_warsaw(owner):
    """31.12 23:30 UTC is 1.01 00:30 in Warsaw: the number is of the new year, the due date counted from 1.01."""
    with time_machine.travel(datetime.datetime(2026, 12, 30, 12, tzinfo=datetime.UTC)):
        old_year = file_case(owner, kind=Case.Kind.COMPLAINT)
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)):
        complaint = file_case(owner, kind=Case.Kind.COMPLAINT)
    assert old_year.number == "JAW/2026/00001"
    assert (complaint.number, complaint.year) == ("JAW/2027/00001", 2027)
    assert complaint.due_on == datetime.date(2027, 1, 15)


def test_a_complaint_filed_late_on_1_march_in_utc_is_due_on_16_march(owner):
    """1.03 23:30 UTC is 2.03 00:30 in Warsaw (winter time): filed on 2.03, due 14 days later."""
    with time_machine.travel(datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)):
        complaint = file_case(owner, kind=Case.Kind.COMPLAINT)
    assert complaint.due_on == datetime.date(2026, 3, 16)


def test_the_receipt_states_the_due_date_as_every_page_does(owner, run_worker):
    from django.core import mail

    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        case = file_case(owner, kind=Case.Kind.COMPLAINT)
        run_worker()
    [message] = mail.outbox
    assert case.number in message.subject
    assert "04.12.2026" in message.body


def test_a_notice_queued_before_a_kind_was_renamed_still_renders():
    from django.template.loader import render_to_string

    text = render_to_string("emails/case_answered.txt", {"case_kind": "dawny-rodzaj", "case_number": "JAW/2026/00001"})
    assert "dawny-rodzaj" in text
