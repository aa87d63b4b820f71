"""The customer's message in its case, with files checked by content; an answered case goes back to the
office, a closed one reopens within 30 days; the limit of messages a day; notes never in e-mails."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts import limits
from cases import services
from cases.models import Case, Message
from tests.cases.conftest import (
    executable_bytes,
    fake_png_bytes,
    file_case,
    html_with_pdf_markers,
    pdf_bytes,
    png_bytes,
    stored_files,
    upload,
)
from tests.conftest import log_in


def url(case):
    return reverse("cases:message", args=[case.public_id])


def post(client, case, body="Dosyłam skan protokołu.", files=()):
    return client.post(url(case), {"body": body, "attachments": list(files)})


def test_a_message_with_a_file_joins_the_thread(owner_client, owner_case):
    response = post(owner_client, owner_case, files=[upload("protokół odczytu.pdf", pdf_bytes())])
    assert response["Location"] == reverse("cases:detail", args=[owner_case.public_id])
    message = owner_case.messages.last()
    assert (message.author, message.body) == ("customer", "Dosyłam skan protokołu.")
    assert message.attachments.get().name == "protokół odczytu.pdf"
    assert "Wiadomość wysłano." in owner_client.get(response["Location"]).content.decode()


def test_a_file_alone_is_a_message_but_nothing_at_all_is_not(owner_client, owner_case):
    assert post(owner_client, owner_case, body="", files=[upload("zdjecie.png", png_bytes())]).status_code == 302
    response = post(owner_client, owner_case, body="  ")
    assert response.status_code == 400
    assert "Wpisz treść wiadomości lub dołącz plik." in response.content.decode()
    assert owner_case.messages.count() == 2


def test_a_message_to_an_answered_case_puts_it_back_in_progress(owner_client, owner_case, staff_user):
    services.case_answer(case=owner_case, user=staff_user, body="Proszę o skan protokołu.")
    post(owner_client, owner_case)
    owner_case.refresh_from_db()
    assert owner_case.status == Case.Status.IN_PROGRESS


def test_a_message_within_30_days_of_closing_reopens_the_case(client, owner, owner_case):
    services.case_close(case=owner_case, user=owner_case.messages.get().user)
    with time_machine.travel(datetime.timedelta(days=29, hours=23)):
        response = post(log_in(client, owner), owner_case)
        page = client.get(response["Location"]).content.decode()
    owner_case.refresh_from_db()
    assert owner_case.status == Case.Status.IN_PROGRESS
    assert "Wiadomość wysłano. Sprawa została wznowiona." in page
    assert [c.new_status for c in owner_case.status_changes.all()] == ["new", "closed", "in_progress"]


def test_after_30_days_a_closed_case_takes_no_message(client, owner, owner_case):
    services.case_close(case=owner_case, user=owner_case.messages.get().user)
    with time_machine.travel(datetime.timedelta(days=30, seconds=1)):
        response = post(log_in(client, owner), owner_case, files=[upload("a.pdf", pdf_bytes())])
    assert response.status_code == 400
    assert "Ta sprawa jest zamknięta od ponad 30 dni: nie można jej już wznowić." in response.content.decode()
    assert owner_case.messages.count() == 1
    assert stored_files() == []


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([upload("faktura.pdf", executable_bytes())], "Plik „faktura.pdf” nie jest dokumentem PDF ani zdjęciem"),
        ([upload("licznik.png", fake_png_bytes())], "Plik „licznik.png” nie jest dokumentem PDF ani zdjęciem"),
        (
            [upload("skan.pdf", pdf_bytes() + b"\0" * (limits.CASE_FILE_MAX_BYTES + 512 * 1024 - len(pdf_bytes())))],
            "Plik „skan.pdf” ma 10,5\xa0MB, a można dołączyć najwyżej 10,0\xa0MB.",
        ),
        ([upload(f"s{n}.pdf", pdf_bytes()) for n in range(6)], "najwyżej 5 plików"),
        # More than Django parses by default in its old setting (10): still the form's message, not a bare 400.
        ([upload(f"s{n}.pdf", pdf_bytes()) for n in range(11)], "najwyżej 5 plików"),
        # A page or a program that merely carries the PDF markers is no PDF.
        ([upload("skan.pdf", html_with_pdf_markers())], "Plik „skan.pdf” nie jest dokumentem PDF ani zdjęciem"),
        ([upload("skan.pdf", executable_bytes() + pdf_bytes())], "Plik „skan.pdf” nie jest dokumentem PDF"),
        ([upload("skan.pdf", b"\x7fELF\x02\x01\x01" + pdf_bytes())], "Plik „skan.pdf” nie jest dokumentem PDF"),
        ([upload("ok.pdf", pdf_bytes()), upload("program.exe.pdf", executable_bytes())], "„program.exe.pdf”"),
    ],
)
def test_a_file_that_fails_the_checks_is_refused_and_nothing_is_stored(owner_client, owner_case, files, error):
    response = post(owner_client, owner_case, files=files)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert owner_case.messages.count() == 1
    assert stored_files() == []


@pytest.mark.parametrize("lead", [b"", b"\xef\xbb\xbf", b"\r\n  \t"], ids=["plain", "bom", "whitespace"])
def test_a_pdf_after_a_bom_or_whitespace_only_is_taken(owner_client, owner_case, lead):
    assert post(owner_client, owner_case, files=[upload("skan.pdf", lead + pdf_bytes())]).status_code == 302
    assert owner_case.messages.last().attachments.get().content_type == "application/pdf"


def test_files_over_the_customers_budget_are_refused(owner_client, owner_case, monkeypatch):
    monkeypatch.setattr(limits, "CASE_FILES_BUDGET_BYTES", 200)
    response = post(owner_client, owner_case, files=[upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())])
    assert response.status_code == 400
    error = "Pliki mają razem 276\xa0bajtów, a w ciągu 30 dni można dodać jeszcze 200\xa0bajtów"
    assert error in response.content.decode()
    assert stored_files() == []


def test_it_checks_ownership(owner_client, foreign_cases):
    for foreign in foreign_cases:
        assert post(owner_client, foreign, files=[upload("a.pdf", pdf_bytes())]).status_code == 404
        assert foreign.messages.count() == 1
    assert stored_files() == []


def test_every_post_needs_the_csrf_token(csrf_client, owner_case):
    assert post(csrf_client, owner_case).status_code == 403
    assert csrf_client.get(url(owner_case)).status_code == 405
    assert owner_case.messages.count() == 1


def test_the_51st_message_in_a_day_is_refused_and_refused_forms_use_up_nothing(owner_client, owner_case):
    start = datetime.datetime(2026, 11, 20, 8, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert post(owner_client, owner_case, body="").status_code == 400
        for _ in range(50):
            assert post(owner_client, owner_case).status_code == 302
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        refused = post(owner_client, owner_case)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(23 * 3600)
    assert "Zbyt wiele wiadomości w sprawach." in refused.content.decode()
    assert owner_case.messages.count() == 51


def test_notes_never_reach_the_customers_mail_nor_does_the_answer_text(owner, owner_case, staff_user, run_worker):
    services.case_note(case=owner_case, user=staff_user, body="Wewnętrznie: sprawdzić licznik W-0123.")
    services.case_answer(case=owner_case, user=staff_user, body="Treść odpowiedzi tylko w portalu.")
    run_worker()
    assert [message.to for message in mail.outbox] == [[owner.email], [owner.email]]
    answered = mail.outbox[1]
    for message in mail.outbox:
        content = message.subject + message.body + "".join(alt[0] for alt in message.alternatives)
        assert "Wewnętrznie" not in content
        assert "Treść odpowiedzi" not in content
    assert "JAW/2026/00001" in answered.body
    assert reverse("cases:detail", args=[owner_case.public_id]) in answered.body


def test_a_customers_message_is_noticed_to_nobody_by_mail(owner_client, owner_case, run_worker):
    run_worker()
    mail.outbox.clear()
    post(owner_client, owner_case)
    run_worker()
    assert mail.outbox == []
    assert Message.objects.filter(case=owner_case, author="customer").count() == 2


def test_a_second_case_keeps_its_own_thread(owner_client, owner, owner_case):
    other = file_case(owner, body="Inna sprawa")
    post(owner_client, other, body="Do drugiej sprawy")
    assert list(owner_case.messages.values_list("body", flat=True)) == ["Proszę o duplikat umowy."]
