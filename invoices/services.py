"""Invoice PDFs: rendered once, stored privately, served from storage afterwards.

An issued invoice's amounts never change, so its PDF is rendered once — by the worker after an import
(``invoices.tasks.render_invoice_pdfs``), by ``manage.py render_invoices``, or on the first download — and
stored in ``Invoice.pdf`` under MEDIA_ROOT, which is never served by URL. What it prints around them can
change (a KSeF number filled in, a new correction): the imports then clear ``pdf`` and queue a forced
render. A stored file that went missing is rendered again.

The stored file is the Polish one, the legally binding text. A customer who chose another language gets a
translation rendered afresh on each download and never stored, so the stored file cannot be in the wrong
language and no per-language copies have to be cleared when an import changes the invoice.
"""

import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation

from invoices import payment_qr
from invoices.documents import invoice_context
from invoices.models import Invoice, invoice_pdf_path
from invoices.pdf import render_pdf

logger = logging.getLogger(__name__)


def invoice_pdf_html(*, invoice, amount_due=None):
    return render_to_string("invoices/invoice_pdf.html", invoice_context(invoice, amount_due=amount_due))


def _store(storage, name, content):
    """Write `content` under `name`, replacing an older file atomically (two renders may race)."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:  # remote storage: no atomic rename, but no partial reads either
        if storage.exists(name):
            storage.delete(name)
        return storage.save(name, ContentFile(content))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".render-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def _render(invoice, language):
    """The invoice reloaded, the amount its transfer QR code asks for (None: no code) and the PDF's bytes."""
    loaded = (
        Invoice.objects.select_related("region", "customer", "corrects")
        .prefetch_related("lines", "corrections")
        .get(pk=invoice.pk)
    )
    due = payment_qr.amount_due(loaded)
    transfer = payment_qr.transfer(loaded, amount=due)
    with translation.override(language):
        content = render_pdf(invoice_pdf_html(invoice=loaded, amount_due=due))
    return loaded, (transfer.amount if transfer else None), content


def invoice_render_pdf(*, invoice):
    """Render `invoice` to PDF in Polish, store it in Invoice.pdf and return the bytes. Safe to repeat.
    The given instance is updated too, so a caller holding it serves the stored file next time."""
    loaded, transfer_amount, content = _render(invoice, settings.LANGUAGE_CODE)
    name = _store(loaded.pdf.storage, invoice_pdf_path(loaded, "invoice.pdf"), content)
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name, pdf_transfer_amount=transfer_amount)
    invoice.pdf.name = name
    invoice.pdf_transfer_amount = transfer_amount
    return content


def _transfer_code_is_stale(invoice):
    """Whether the stored PDF's transfer QR code asks for something other than what is due now. Only a PDF that
    has a code is checked (the invoice and the customer's Ledger: three queries); a paid invoice's PDF has none
    and costs nothing."""
    if invoice.pdf_transfer_amount is None:
        return False
    loaded = Invoice.objects.select_related("customer").get(pk=invoice.pk)  # the caller may hold only a few fields
    transfer = payment_qr.transfer(loaded)
    return transfer is None or transfer.amount != invoice.pdf_transfer_amount


def invoice_stored_pdf(*, invoice):
    """The stored PDF's bytes, or None when it was never rendered or its file is gone."""
    if not invoice.pdf:
        return None
    try:
        with invoice.pdf.open("rb") as file:
            return file.read()
    except FileNotFoundError:
        logger.warning("PDF faktury %s zniknął z magazynu (%s): renderuję ponownie.", invoice.pk, invoice.pdf.name)
        return None


def invoice_pdf(*, invoice, language=None):
    """The invoice's PDF bytes in `language` (default Polish): the stored file, or a fresh render that is then
    stored; in another language a fresh render, not stored."""
    if language and language != settings.LANGUAGE_CODE:
        return _render(invoice, language)[2]
    if _transfer_code_is_stale(invoice):
        return invoice_render_pdf(invoice=invoice)
    return invoice_stored_pdf(invoice=invoice) or invoice_render_pdf(invoice=invoice)
