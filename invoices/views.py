import logging
import re

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import customer_required
from accounts.limits import STATEMENTS_PER_CUSTOMER
from accounts.throttle import over_limit
from invoices.balance import Ledger, invoice_url_prefix
from invoices.documents import invoice_context
from invoices.forms import InvoiceFilterForm, PeriodForm
from invoices.models import Invoice
from invoices.pdf import PdfUnavailable, render_pdf
from invoices.services import invoice_pdf
from invoices.statement import build_statement

logger = logging.getLogger(__name__)

PER_PAGE = 20


def _get_invoice_for_customer(request, public_id, *, fields=None):
    """The logged-in customer's invoice; anyone else's is a 404, exactly like a missing one.
    With `fields`, only those columns are loaded (a stored PDF needs no more than its file name)."""
    invoices = Invoice.objects.filter(customer=request.customer)
    if fields:
        return get_object_or_404(invoices.only(*fields), public_id=public_id)
    return get_object_or_404(invoices.select_related("region", "customer", "corrects"), public_id=public_id)


def download_name(number, extension):
    """FV/2026/10/0001 → FV_2026_10_0001.pdf: only characters every browser and disk accept."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", number).strip("_.") + f".{extension}"


def _attachment(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_unavailable(request):
    return render(request, "invoices/pdf_unavailable.html", status=503)


@require_GET
@customer_required
def invoice_list(request):
    """Faktury: newest first, by year and paid/unpaid; corrections beside the invoices they correct."""
    ledger = Ledger(request.customer)
    form = InvoiceFilterForm(request.GET, years=ledger.years())
    filters = form.cleaned_data if form.is_valid() else {}
    documents = ledger.select(year=filters.get("rok"), paid=filters.get("stan"))
    page = Paginator(documents, PER_PAGE).get_page(request.GET.get("strona"))
    query = request.GET.copy()
    query.pop("strona", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "balance": ledger.balance(),
        "invoice_url_prefix": invoice_url_prefix(),
    }
    return render(request, "invoices/list.html", context)


@require_GET
@customer_required
def invoice_detail(request, public_id):
    invoice = _get_invoice_for_customer(request, public_id)
    document = Ledger(request.customer).by_pk[invoice.pk]
    payments = request.customer.payments.filter(invoice=invoice).order_by("date")
    context = invoice_context(invoice, corrections=document.corrections, amount_due=document.group.outstanding)
    context |= {"group": document.group, "payments": payments}
    return render(request, "invoices/detail.html", context)


@require_GET
@customer_required
def invoice_pdf_download(request, public_id):
    invoice = _get_invoice_for_customer(
        request, public_id, fields=["public_id", "number", "issue_date", "pdf", "pdf_transfer_amount"]
    )
    try:
        content = invoice_pdf(invoice=invoice, language=translation.get_language())
    except PdfUnavailable:
        return _pdf_unavailable(request)
    except OSError:
        # The storage could not be read or written (a full disk, a lost mount): the customer is told it is
        # temporary, the operator gets the cause. Nothing partial is kept (invoices.services._store).
        logger.exception("PDF of invoice %s not served: the storage failed", invoice.public_id)
        return _pdf_unavailable(request)
    return _attachment(content, content_type="application/pdf", filename=download_name(invoice.number, "pdf"))


@require_GET
@customer_required
def invoice_xml_download(request, public_id):
    """The original KSeF XML, byte for byte as it was received."""
    invoice = _get_invoice_for_customer(request, public_id, fields=["number", "ksef_xml"])
    if not invoice.ksef_xml:
        raise Http404(_("Ta faktura nie ma zachowanego XML z KSeF."))
    return _attachment(
        bytes(invoice.ksef_xml), content_type="application/xml", filename=download_name(invoice.number, "xml")
    )


@require_GET
@customer_required
def settlements(request):
    """Rozliczenia: invoices and payments on one timeline with a running balance."""
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    statement = build_statement(request.customer, date_from=period.get("od"), date_to=period.get("do"))
    context = {"form": form, "statement": statement, "query": request.GET.urlencode() if period else ""}
    return render(request, "invoices/settlements.html", context)


@require_GET
@customer_required
def statement_pdf(request):
    """The statement of account for a period as PDF: opening balance, each document, closing balance."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        statement = build_statement(request.customer)
        return render(request, "invoices/settlements.html", {"form": form, "statement": statement}, status=400)
    if refusal := over_limit(STATEMENTS_PER_CUSTOMER, f"statement:{request.customer.pk}"):
        return refusal.respond(request, "invoices/statement_limit.html", {"rule": STATEMENTS_PER_CUSTOMER})
    period = form.cleaned_data
    statement = build_statement(request.customer, date_from=period["od"], date_to=period["do"])
    html = render_to_string("invoices/statement_pdf.html", {"statement": statement, "customer": request.customer})
    try:
        content = render_pdf(html)
    except PdfUnavailable:
        return _pdf_unavailable(request)
    ends = "_".join(f"{day:%Y-%m-%d}" for day in (period["od"], period["do"]) if day) or "calosc"
    filename = download_name(f"zestawienie_{request.customer.code}_{ends}", "pdf")
    return _attachment(content, content_type="application/pdf", filename=filename)
