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
