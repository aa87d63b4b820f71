"""A case's page in the admin: what the customer filed (read-only), the thread with the staff's notes marked,
the files as downloads, and the answer, note, assignment and status forms, each recorded with who and when."""

import re

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.models import EmailDelivery
from cases import services
from cases.models import Assignment, Attachment, Case, StatusChange
from tests.cases.conftest import file_case, pdf_bytes, png_bytes, upload
from tests.cases.staffing import service_member
from tests.conftest import log_in, log_in_staff, page_text

ANSWER = "Korekta faktury zostanie wystawiona do 10 grudnia."
NOTE = "Sprawdzić odczyt licznika z 10.11., klient dzwonił dwa razy."


def page(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def url(case, name):
    return reverse(f"admin:cases_case_{name}", args=[case.pk])


@pytest.fixture
def case(owner):
    return file_case(owner, body="Faktura za listopad jest za wysoka.", files=[upload("skan.pdf", pdf_bytes())])


def test_it_shows_what_the_customer_filed_and_the_thread_with_notes_marked(staff_client, case, staff_user):
    services.case_note(case=case, user=staff_user, body=NOTE)
    text = page_text(staff_client.get(page(case)).content.decode())
    assert case.number in text
    assert "Faktura za listopad jest za wysoka." in text
    assert NOTE in text
    assert "Notatka wewnętrzna — odbiorca jej nie widzi" in text
    assert "skan.pdf" in text


def test_the_case_page_has_no_form_of_the_filed_fields_and_takes_no_post(staff_client, case):
    html = staff_client.get(page(case)).content.decode()
    assert 'name="subject"' not in html
    response = staff_client.post(page(case), {"subject": "Zmieniony temat", "status": "closed"})
    assert response.status_code == 405
    case.refresh_from_db()
    assert (case.subject, case.status) == ("Duplikat umowy", Case.Status.NEW)


def test_an_answer_makes_the_case_answered_and_mails_a_notice_without_its_text(
    staff_client, case, staff_user, run_worker
):
    services.case_note(case=case, user=staff_user, body=NOTE)
    run_worker()
    mail.outbox.clear()  # the receipt of the filing
    response = staff_client.post(url(case, "answer"), {"answer-body": ANSWER})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ANSWERED
    assert case.messages.get(body=ANSWER).internal is False
    run_worker()
    [notice] = mail.outbox
    assert notice.to == [case.customer.email]
    assert str(case.public_id) in notice.body
    for message_text in (notice.body, notice.alternatives[0].content, notice.subject):
        assert "Korekta" not in message_text
        assert "odczyt licznika" not in message_text
    assert EmailDelivery.objects.get(kind="case_answered").status == EmailDelivery.Status.SENT


def test_a_note_is_kept_internal_and_mails_nobody(staff_client, case, run_worker):
    run_worker()
    mail.outbox.clear()  # the receipt of the filing
    response = staff_client.post(url(case, "note"), {"note-body": NOTE})
    assert response.status_code == 302
    note = case.messages.get(body=NOTE)
    assert note.internal
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    run_worker()
    assert mail.outbox == []
    assert not EmailDelivery.objects.filter(kind="case_answered").exists()


def test_an_answer_carries_files_checked_like_the_customers(staff_client, case):
    files = [upload("decyzja.pdf", pdf_bytes("Decyzja")), upload("zdjecie.png", png_bytes())]
    staff_client.post(url(case, "answer"), {"answer-body": ANSWER, "answer-files": files})
    answer = case.messages.get(body=ANSWER)
    assert sorted(answer.attachments.values_list("name", "content_type")) == [
        ("decyzja.pdf", "application/pdf"),
        ("zdjecie.png", "image/png"),
    ]


def test_a_bad_file_or_an_empty_answer_is_refused_with_a_message_and_nothing_stored(staff_client, case):
    before = set(default_storage.listdir("cases")[0]) if default_storage.exists("cases") else set()
    response = staff_client.post(
        url(case, "answer"), {"answer-body": ANSWER, "answer-files": [upload("program.pdf", b"MZ\x90\x00" * 100)]}
    )
    assert response.status_code == 200
    assert "nie jest dokumentem PDF ani zdjęciem JPEG lub PNG" in response.content.decode()
    response = staff_client.post(url(case, "answer"), {"answer-body": ""})
    assert "To pole jest wymagane." in response.content.decode()
    assert case.messages.count() == 1
    assert Attachment.objects.count() == 1
    assert (set(default_storage.listdir("cases")[0]) if default_storage.exists("cases") else set()) == before
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_assignment_is_recorded_with_who_assigned_whom(staff_client, case, staff_user):
    member = service_member()
    staff_client.post(url(case, "assign"), {"assigned_to": member.pk})
    staff_client.post(url(case, "assign"), {"assigned_to": member.pk})  # the same again: no new entry
    staff_client.post(url(case, "assign"), {"assigned_to": ""})
    case.refresh_from_db()
    assert case.assigned_to is None
    assert list(Assignment.objects.values_list("assigned_to__username", "user__username")) == [
        ("anna", "bok"),
        (None, "bok"),
    ]
    text = page_text(staff_client.get(page(case)).content.decode())
    assert "Historia przydzieleń" in text
    assert "anna" in text


def test_a_case_cannot_be_assigned_to_a_customer_or_to_staff_who_do_not_handle_cases(
    staff_client, case, django_user_model
):
    outsider = django_user_model.objects.create_user("ksiegowa", is_staff=True)
    customer_login = case.messages.get().user
    for user in (outsider, customer_login):
        response = staff_client.post(url(case, "assign"), {"assigned_to": user.pk})
        assert response.status_code == 200
        assert "Wybierz poprawną wartość" in response.content.decode()
    assert not Assignment.objects.exists()


def test_status_buttons_change_the_status_with_its_history(staff_client, case, staff_user):
    staff_client.post(url(case, "status"), {"status": "in_progress"})
    staff_client.post(url(case, "status"), {"status": "closed"})
    staff_client.post(url(case, "status"), {"status": "answered"})  # only through an answer
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_at is not None
    history = list(StatusChange.objects.filter(case=case).values_list("old_status", "new_status", "user"))
    customer = case.messages.get().user_id
    assert history == [
        ("", "new", customer),
        ("new", "in_progress", staff_user.pk),
        ("in_progress", "closed", staff_user.pk),
    ]
    text = page_text(staff_client.get(page(case)).content.decode())
    assert "Historia stanów" in text
    assert re.search(r"w toku zamknięta bok", text)


def test_staff_download_a_file_as_an_attachment_with_nosniff(staff_client, case):
    attachment = Attachment.objects.get()
    response = staff_client.get(reverse("admin:cases_case_attachment", args=[attachment.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="skan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_customer_or_a_visitor_gets_no_file_from_the_admin(client, owner, case):
    download = reverse("admin:cases_case_attachment", args=[Attachment.objects.get().public_id])
    for visitor in (Client(), log_in(Client(), owner)):
        response = visitor.get(download)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_right_to_see_cases_get_no_file_and_no_page(client, case, django_user_model):
    clerk = log_in_staff(client, django_user_model.objects.create_user("ksiegowa", is_staff=True))
    assert (
        clerk.get(reverse("admin:cases_case_attachment", args=[Attachment.objects.get().public_id])).status_code == 403
    )
    assert clerk.get(page(case)).status_code == 403
    assert clerk.post(url(case, "note"), {"note-body": NOTE}).status_code == 403
    assert case.messages.count() == 1


def test_every_change_needs_the_csrf_token(staff_user, case):
    client = log_in_staff(Client(enforce_csrf_checks=True), staff_user)
    for name, data in (
        ("answer", {"answer-body": ANSWER}),
        ("note", {"note-body": NOTE}),
        ("status", {"status": "closed"}),
    ):
        assert client.post(url(case, name), data).status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    assert case.messages.count() == 1


def test_the_case_page_costs_the_same_queries_however_long_the_thread(
    staff_client, owner, staff_user, django_assert_max_num_queries
):
    cases = [file_case(owner, files=[upload("a.pdf", pdf_bytes()), upload("b.png", png_bytes())]) for _ in range(3)]
    busy = cases[0]
    for n in range(6):
        services.case_answer(case=busy, user=staff_user, body=f"Odpowiedź {n}")
        services.case_note(case=busy, user=staff_user, body=f"Notatka {n}")
        services.case_post_customer_message(case=busy, user=busy.messages.first().user, body=f"Pytanie {n}", files=[])
    services.case_assign(case=busy, assignee=staff_user, user=staff_user)
    with django_assert_max_num_queries(10):
        response = staff_client.get(page(busy))
    assert response.status_code == 200
    assert page_text(response.content.decode()).count("Notatka wewnętrzna — odbiorca jej nie widzi") == 6


def test_the_case_page_marks_a_due_date_past_in_words(staff_client, owner):
    import datetime

    import time_machine

    with time_machine.travel(datetime.timedelta(days=-3)):
        late = file_case(owner, kind=Case.Kind.OUTAGE)  # due a day after filing
    html = staff_client.get(page(late)).content.decode()
    assert re.search(
        r'class="case-due case-due-overdue">\d\d\.\d\d\.\d{4} <strong>\(po terminie o 2 dni\)</strong>', html
    )


def test_a_closed_case_has_no_answer_box_and_takes_no_answer(staff_client, case, staff_user, run_worker):
    services.case_close(case=case, user=staff_user)
    run_worker()
    mail.outbox.clear()  # the receipt of the filing
    text = page_text(staff_client.get(page(case)).content.decode())
    assert 'name="answer-body"' not in staff_client.get(page(case)).content.decode()
    assert "Aby odpowiedzieć odbiorcy, najpierw oznacz ją jako „w toku”" in text
    response = staff_client.post(url(case, "answer"), {"answer-body": ANSWER}, follow=True)
    assert "Sprawa jest zamknięta: odpowiedź nie została wysłana." in page_text(response.content.decode())
    assert "najpierw oznacz sprawę jako „w toku”" in page_text(response.content.decode())
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert not case.messages.filter(body=ANSWER).exists()
    run_worker()
    assert mail.outbox == []
    # In progress again, it takes the answer.
    staff_client.post(url(case, "status"), {"status": "in_progress"})
    assert 'name="answer-body"' in staff_client.get(page(case)).content.decode()
    assert staff_client.post(url(case, "answer"), {"answer-body": ANSWER}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ANSWERED


def test_a_case_page_of_no_number_is_a_404(staff_client):
    assert staff_client.get("/admin/cases/case/abc/change/").status_code == 404
    assert staff_client.get("/admin/cases/case/999999/change/").status_code == 404


@pytest.mark.parametrize(
    ("email", "said"),
    [
        ("zarzad@zgoda.example", "Wysłano odpowiedź; odbiorca dostanie powiadomienie e-mailem."),
        ("", "Wysłano odpowiedź. Odbiorca nie ma adresu e-mail: nie dostanie powiadomienia, zobaczy ją w eBOK."),
    ],
)
def test_the_answers_confirmation_says_whether_a_notice_goes_out(staff_client, case, email, said):
    case.customer.email = email
    case.customer.save(update_fields=["email"])
    response = staff_client.post(url(case, "answer"), {"answer-body": ANSWER}, follow=True)
    text = page_text(response.content.decode())
    assert said in text
    assert ("dostanie powiadomienie e-mailem" in text) is bool(email)
    assert EmailDelivery.objects.filter(kind="case_answered").exists() is bool(email)


def test_staff_get_a_404_for_a_file_missing_from_the_storage_logged_as_an_error(staff_client, case, caplog):
    attachment = Attachment.objects.get()
    default_storage.delete(attachment.file.name)
    with caplog.at_level("ERROR", logger="cases.attachments"):
        response = staff_client.get(reverse("admin:cases_case_attachment", args=[attachment.public_id]))
    assert response.status_code == 404
    assert [r.levelname for r in caplog.records if r.name == "cases.attachments"] == ["ERROR"]
