"""Background work of the invoices app, run by ``manage.py db_worker``."""

from django_tasks import task

from invoices.models import Invoice
from invoices.services import invoice_render_pdf


@task()
def render_invoice_pdf(public_id):
    """Render and store one invoice's PDF unless it is already stored (the import enqueues this)."""
    invoice = Invoice.objects.filter(public_id=public_id).first()
    if invoice is None:
        return "missing"
    if invoice.pdf and invoice.pdf.storage.exists(invoice.pdf.name):
        return "stored"
    invoice_render_pdf(invoice=invoice)
    return "rendered"


def enqueue_pdf_renders(invoices):
    """Queue a render for each of `invoices`; call it with ``transaction.on_commit`` after an import."""
    return [render_invoice_pdf.enqueue(str(invoice.public_id)) for invoice in invoices]
