"""A case's file: only to its customer, never a staff note's, always a download the browser will not sniff."""

from django.urls import reverse

from cases import services
from cases.attachments import check_files
from tests.cases.conftest import file_case, jpeg_bytes, pdf_bytes, upload


def url(case, attachment):
    return reverse("cases:attachment", args=[case.public_id, attachment.public_id])


def first_file(case):
    return case.messages.first().attachments.get()


def test_it_is_a_private_download_of_the_stored_type(owner_client, owner):
    case = file_case(owner, files=[upload("zdjęcie licznika.jpeg", jpeg_bytes())])
    response = owner_client.get(url(case, first_file(case)))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == jpeg_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''zdj%C4%99cie%20licznika.jpg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert response["Content-Length"] == str(len(jpeg_bytes()))


def test_an_ascii_name_is_a_plain_filename(owner_client, owner):
    case = file_case(owner, files=[upload('pismo "nr 2".pdf', pdf_bytes())])
    response = owner_client.get(url(case, first_file(case)))
    assert response["Content-Disposition"] == 'attachment; filename="pismo nr 2.pdf"'


def test_a_staff_answers_file_is_the_customers_too(owner_client, owner_case, staff_user):
    files = check_files([upload("korekta.pdf", pdf_bytes())], budget_left=10**6)
    services.case_answer(case=owner_case, user=staff_user, body="W załączniku korekta.", files=files)
    attachment = owner_case.messages.last().attachments.get()
    assert owner_client.get(url(owner_case, attachment)).status_code == 200


def test_a_staff_notes_file_is_a_404(owner_client, owner_case, staff_user):
    files = check_files([upload("notatka.pdf", pdf_bytes())], budget_left=10**6)
    services.case_note(case=owner_case, user=staff_user, body="Wewnętrzne", files=files)
    attachment = owner_case.messages.last().attachments.get()
    assert owner_client.get(url(owner_case, attachment)).status_code == 404


def test_it_checks_ownership(owner_client, owner, sibling, stranger):
    mine = file_case(owner, files=[upload("moje.pdf", pdf_bytes())])
    for other in (sibling, stranger):
        foreign = file_case(other, files=[upload("obce.pdf", pdf_bytes())])
        assert owner_client.get(url(foreign, first_file(foreign))).status_code == 404
        # another's file through one's own case is as unknown
        assert owner_client.get(url(mine, first_file(foreign))).status_code == 404
    other_own_case = file_case(owner, files=[upload("druga.pdf", pdf_bytes())])
    assert owner_client.get(url(mine, first_file(other_own_case))).status_code == 404


def test_it_needs_a_logged_in_customer(client, owner):
    case = file_case(owner, files=[upload("moje.pdf", pdf_bytes())])
    assert client.get(url(case, first_file(case)))["Location"] == reverse("landing")


def test_a_file_missing_from_the_storage_is_a_404_logged_as_an_error(owner_client, owner, caplog):
    from django.core.files.storage import default_storage

    case = file_case(owner, files=[upload("skan.pdf", pdf_bytes())])
    attachment = first_file(case)
    default_storage.delete(attachment.file.name)
    with caplog.at_level("ERROR", logger="cases.attachments"):
        response = owner_client.get(url(case, attachment))
    assert response.status_code == 404
    [record] = [r for r in caplog.records if r.name == "cases.attachments"]
    assert record.levelname == "ERROR"
    assert case.number in record.getMessage()
    assert attachment.file.name in record.getMessage()
