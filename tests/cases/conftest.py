import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from cases import services
from cases.models import Case


def pdf_bytes(text="Skan pisma"):
    """A small real PDF (what a scanner or a word processor writes)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_case(customer, *, kind=Case.Kind.OTHER, body="Proszę o duplikat umowy.", files=(), **details):
    """A case filed the way the portal files it, by the customer's own login."""
    from cases.attachments import check_files

    checked = check_files(files, budget_left=services.case_budget_left(customer)) if files else []
    return services.case_file(
        customer=customer,
        user=User.objects.for_customer(customer),
        kind=kind,
        subject=details.pop("subject", "Duplikat umowy"),
        body=body,
        files=checked,
        **details,
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attachments of each test in a folder of its own, never in the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def owner_case(owner):
    return file_case(owner)


@pytest.fixture
def foreign_cases(sibling, stranger):
    """A case of the sub-customer of the same code and one of the same code in the other region."""
    return [file_case(sibling, body="Sprawa pododbiorcy"), file_case(stranger, body="Sprawa z innego regionu")]


@pytest.fixture
def csrf_client(owner):
    """A logged-in owner whose POSTs are checked for the CSRF token, as a browser's are."""
    from django.test import Client

    from tests.conftest import log_in

    return log_in(Client(enforce_csrf_checks=True), owner)


def stored_files():
    """Every file under cases/ in the storage (MEDIA_ROOT of the test)."""
    from django.core.files.storage import default_storage

    def walk(folder):
        if not default_storage.exists(folder):
            return
        folders, files = default_storage.listdir(folder)
        yield from (f"{folder}/{name}" for name in files)
        for sub in folders:
            yield from walk(f"{folder}/{sub}")

    return sorted(walk("cases"))


def executable_bytes():
    """The start of a Windows program (an "MZ" header), whatever it is named."""
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    return header + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def fake_png_bytes():
    """A PNG's signature followed by something else: not an image."""
    return b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 10


def html_with_pdf_markers():
    """A web page that carries "%PDF-" in a comment and "%%EOF" at its end: not a PDF."""
    return b"<html><!-- %PDF-1.4 --><script>fetch('/konto/')</script></html>\n%%EOF\n"
