"""Background work of the invoices app, run by ``manage.py db_worker``."""

import contextlib
import contextvars
import logging
from collections import Counter

from django_tasks import task

from invoices import pdf
from invoices.models import Invoice
from invoices.pdf import PdfUnavailable
from invoices.services import invoice_render_pdf

logger = logging.getLogger(__name__)

# Invoices per queued task: an import of 100,000 new invoices queues 5,000 tasks, not 100,000 task rows,
# and a batch (about 2–10 s) never keeps a waiting e-mail long from the worker.
PDF_BATCH = 20

# Set inside `pdf_renders_on_demand()`: the imports then queue no renders.
_on_demand = contextvars.ContextVar("pdf_renders_on_demand", default=False)


@task()
def render_invoice_pdf(public_id, force=False):
    """Render and store one invoice's PDF unless it is already stored (or `force`: what it prints changed)."""
    invoice = Invoice.objects.filter(public_id=public_id).first()
    if invoice is None:
        return "missing"
    if not force and invoice.pdf and invoice.pdf.storage.exists(invoice.pdf.name):
        return "stored"
    invoice_render_pdf(invoice=invoice)
    return "rendered"


@task()
def render_invoice_pdfs(public_ids, force=False):
    """Render and store the PDFs of a batch of invoices (the imports queue these); counts by outcome.
    One invoice failing is logged and counted; the others are still rendered (and a missing file is
    rendered on its first download anyway)."""
    outcomes = Counter()
    for done, public_id in enumerate(public_ids):
        try:
            outcomes[render_invoice_pdf.call(public_id, force=force)] += 1
        except PdfUnavailable:  # logged once by render_pdf; the rest of the batch would fail the same way
            outcomes["unavailable"] += len(public_ids) - done
            break
        except Exception:
            logger.exception("PDF of invoice %s not rendered", public_id)
            outcomes["failed"] += 1
    return dict(outcomes)


@contextlib.contextmanager
def pdf_renders_on_demand():
    """Within the block `enqueue_pdf_renders` queues nothing, and each PDF is rendered on its first download
    (``invoices.services.invoice_pdf``). For the demo data: hundreds of invoices that are mostly never opened
    would keep the worker (and a core) busy for minutes right when ``make run`` starts."""
    token = _on_demand.set(True)
    try:
        yield
    finally:
        _on_demand.reset(token)


def enqueue_pdf_renders(invoices, *, batch=PDF_BATCH, force=True):
    """Queue the renders of `invoices` (Invoice objects or their public ids), `batch` invoices to a task.
    Inside a transaction the task rows commit or roll back with it (the database backend). Forced by
    default: an import queues what it created or changed, and a render that was under way while it
    committed must not count as up to date."""
    if _on_demand.get():
        return []
    if not pdf.available():
        logger.warning("PDF-y nie są kolejkowane: WeasyPrint nie działa na tym serwerze (zob. manage.py check).")
        return []
    public_ids = [str(getattr(invoice, "public_id", invoice)) for invoice in dict.fromkeys(invoices)]
    starts = range(0, len(public_ids), batch)
    return [render_invoice_pdfs.enqueue(public_ids[start : start + batch], force) for start in starts]
