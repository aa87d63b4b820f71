"""Background work of the invoices app, run by ``manage.py db_worker``."""

from collections import Counter

from django_tasks import task

from invoices.models import Invoice
from invoices.services import invoice_render_pdf

# Invoices per queued task: an import of 100,000 new invoices queues 500 tasks, not 100,000 task rows.
PDF_BATCH = 200


@task()
def render_invoice_pdf(public_id):
    """Render and store one invoice's PDF unless it is already stored."""
    invoice = Invoice.objects.filter(public_id=public_id).first()
    if invoice is None:
        return "missing"
    if invoice.pdf and invoice.pdf.storage.exists(invoice.pdf.name):
        return "stored"
    invoice_render_pdf(invoice=invoice)
    return "rendered"


@task()
def render_invoice_pdfs(public_ids):
    """Render and store the PDFs of a batch of invoices (the import queues these); counts by outcome."""
    return dict(Counter(render_invoice_pdf.call(public_id) for public_id in public_ids))


def enqueue_pdf_renders(invoices, *, batch=PDF_BATCH):
    """Queue the renders of `invoices` (Invoice objects or their public ids), `batch` invoices to a task.
    Inside a transaction the task rows commit or roll back with it (the database backend)."""
    public_ids = [str(getattr(invoice, "public_id", invoice)) for invoice in invoices]
    starts = range(0, len(public_ids), batch)
    return [render_invoice_pdfs.enqueue(public_ids[start : start + batch]) for start in starts]
