"""What a case attachment may be: a PDF, JPEG or PNG, decided from the bytes, never from the name or the
browser's Content-Type; at most accounts.limits.CASE_FILE_MAX_BYTES each, CASE_FILES_PER_MESSAGE a message,
and the customer's budget. A file that fails is refused with a message naming it, and nothing is stored.
"""

import hashlib
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from accounts import limits

logger = logging.getLogger(__name__)

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
# A photo from any phone is under 50 megapixels; a "PNG" of 30,000 × 30,000 pixels is a decompression bomb
# for whoever opens it (staff's viewer), however small the file.
MAX_PIXELS = 50_000_000
# Windows (MZ) and Linux (ELF) programs are refused whatever else their bytes contain.
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF")
UTF8_BOM = b"\xef\xbb\xbf"
PDF_LEADING_WHITESPACE = b" \t\r\n\f\x00"
# Writers append a newline or a few bytes of padding after %%EOF; an incremental update ends with its own.
PDF_EOF_WITHIN = 2048


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: its bytes, the type its content proves, a safe name to show and download as."""

    content: bytes
    content_type: str
    name: str
    sha256: str

    @property
    def size(self):
        return len(self.content)


def content_type_of(content):
    """PDF, JPEG or PNG as the bytes say, or None: a renamed executable or a document of another kind fails.

    A PDF starts with %PDF- (after a UTF-8 BOM or whitespace at most) and ends with %%EOF near its end: a page
    or a program that merely contains the marker somewhere (<html><!-- %PDF-1.4 -->…) is not one."""
    if content.startswith(EXECUTABLE_SIGNATURES):
        return None
    start = content.removeprefix(UTF8_BOM).lstrip(PDF_LEADING_WHITESPACE)
    if start.startswith(b"%PDF-") and b"%%EOF" in content[-PDF_EOF_WITHIN:]:
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG if _image_is(content, "JPEG") else None
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG if _image_is(content, "PNG") else None
    return None


def _image_is(content, image_format):
    """The image opens as `image_format`, is not a pixel bomb, and its data is whole."""
    import io

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != image_format or image.width * image.height > MAX_PIXELS:
                    return False
                image.verify()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return False
    return True


def safe_name(name, content_type):
    """The customer's file name, fit to show and to download: no path, no control or odd characters, at most
    100 characters, and the extension of what the file *is* (faktura.exe that is a PDF becomes faktura.pdf)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] in "LN" or c in " ._-()")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"\s+", " ", stem).strip(" .-_")[:100] or _("zalacznik")
    return f"{stem}.{EXTENSIONS[content_type]}"


def check_files(uploads, *, budget_left):
    """The uploads (Django UploadedFiles) checked as a whole: a list of CheckedFile, or ValidationError with
    one message per failing file. `budget_left`: bytes the customer may still add (accounts.limits)."""
    uploads = list(uploads)
    if len(uploads) > limits.CASE_FILES_PER_MESSAGE:
        raise ValidationError(
            _("Do jednej wiadomości można dołączyć najwyżej %(n)d plików.") % {"n": limits.CASE_FILES_PER_MESSAGE}
        )
    checked, errors = [], []
    for upload in uploads:
        name = upload.name or ""
        if upload.size > limits.CASE_FILE_MAX_BYTES:
            errors.append(
                _("Plik „%(name)s” ma %(size)s, a można dołączyć najwyżej %(max)s.")
                % {
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(limits.CASE_FILE_MAX_BYTES),
                }
            )
            continue
        if upload.size == 0:
            errors.append(_("Plik „%(name)s” jest pusty.") % {"name": name})
            continue
        upload.seek(0)
        content = upload.read()
        content_type = content_type_of(content)
        if content_type is None:
            errors.append(
                _("Plik „%(name)s” nie jest dokumentem PDF ani zdjęciem JPEG lub PNG (sprawdzono zawartość).")
                % {"name": name}
            )
            continue
        digest = hashlib.sha256(content).hexdigest()
        checked.append(CheckedFile(content, content_type, safe_name(name, content_type), digest))
    if errors:
        raise ValidationError(errors)
    total = sum(file.size for file in checked)
    if total > budget_left:
        raise ValidationError(over_budget_message(total, budget_left))
    return checked


def over_budget_message(total, budget_left):
    """Why files of `total` bytes are refused when the customer may add only `budget_left` more."""
    return _(
        "Pliki mają razem %(size)s, a w ciągu %(days)d dni można dodać jeszcze %(left)s "
        "(limit %(budget)s na odbiorcę). Dołącz mniejsze pliki lub wyślij je później."
    ) % {
        "size": filesizeformat(total),
        "days": limits.CASE_FILES_BUDGET_DAYS,
        "left": filesizeformat(max(budget_left, 0)),
        "budget": filesizeformat(limits.CASE_FILES_BUDGET_BYTES),
    }


def download_response(attachment):
    """The stored file of `attachment` (cases.Attachment) as a download, never shown inline: the type its content
    proved, its safe name, and nosniff, so no browser renders it as a page. The caller has checked who asks.
    A file missing from the storage (a restore without files, a deletion by hand) is a 404, logged as an error."""
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error(
            "Załącznik %s sprawy %s zniknął z magazynu (%s): pobranie odpowiada 404.",
            attachment.public_id,
            attachment.message.case.number,
            attachment.file.name,
        )
        raise Http404 from None
    response = FileResponse(stored, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
