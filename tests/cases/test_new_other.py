"""Inny wniosek: a subject and a text, with files; the receipt e-mail with the number."""

from django.core import mail
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.cases.conftest import jpeg_bytes, pdf_bytes, png_bytes, stored_files, upload
from tests.conftest import log_in

URL = reverse("cases:new_other")


def post(client, **data):
    return client.post(URL, {"subject_text": "Duplikat umowy", "body": "Proszę o duplikat umowy z 2019 r.", **data})


def test_a_request_with_three_kinds_of_files_is_filed(owner_client, owner):
    files = [upload("umowa.pdf", pdf_bytes()), upload("licznik.jpeg", jpeg_bytes()), upload("plan.png", png_bytes())]
    response = post(owner_client, attachments=files)
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert (case.kind, case.subject) == ("wniosek", "Duplikat umowy")
    names = list(case.messages.get().attachments.values_list("name", "content_type"))
    assert names == [("umowa.pdf", "application/pdf"), ("licznik.jpg", "image/jpeg"), ("plan.png", "image/png")]
    assert len(stored_files()) == 3


def test_the_filed_page_says_the_number(owner_client):
    page = owner_client.get(post(owner_client)["Location"]).content.decode()
    assert "Przyjęto sprawę JAW/2026/00001. Potwierdzenie z numerem wysłano e-mailem." in page


def test_the_receipt_goes_through_the_worker_with_the_number(owner_client, owner, run_worker):
    post(owner_client)
    assert mail.outbox == []
    run_worker()
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "JAW/2026/00001" in message.subject
    assert reverse("cases:detail", args=[Case.objects.get().public_id]) in message.body
    assert "duplikat" not in message.body.lower()


def test_a_request_without_subject_or_text_is_refused(owner_client):
    response = owner_client.post(URL, {"subject_text": "   ", "body": ""})
    body = response.content.decode()
    assert "Wpisz temat wniosku." in body
    assert "Wpisz treść wniosku." in body
    assert not Case.objects.exists()


def test_six_files_are_refused_and_nothing_is_stored(owner_client):
    response = post(owner_client, attachments=[upload(f"skan{n}.pdf", pdf_bytes()) for n in range(6)])
    assert "Do jednej wiadomości można dołączyć najwyżej 5 plików." in response.content.decode()
    assert not Case.objects.exists()
    assert stored_files() == []


def test_it_checks_ownership(client, sibling, owner):
    """A sub-customer files for itself; the owner's list does not show it."""
    post(log_in(client, sibling))
    assert Case.objects.get().customer == sibling
    assert "JAW/2026/00001" not in log_in(Client(), owner).get(reverse("cases:list")).content.decode()


def test_every_post_needs_the_csrf_token(csrf_client):
    assert post(csrf_client).status_code == 403
    assert not Case.objects.exists()


def test_without_an_address_the_page_promises_no_receipt(owner_client, owner):
    owner.email = ""
    owner.save(update_fields=["email"])
    page = owner_client.get(post(owner_client)["Location"]).content.decode()
    assert "Przyjęto sprawę JAW/2026/00001.</p>" in page
