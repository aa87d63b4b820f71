from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from accounts.decorators import customer_required, signed_in_customer
from consumption.summary import consumption_summary
from customers.documents import FORMS, form_filename, form_render_pdf, get_form
from customers.models import Region
from invoices.balance import dashboard_context
from invoices.pdf import PdfUnavailable
from ops.pagecache import visitor_page


@visitor_page
def landing(request):
    """The eBOK front door: one entrance per billing region, or the way back in for a logged-in customer."""
    context = {"regions": Region.objects.all(), "signed_in": signed_in_customer(request)}
    return render(request, "customers/landing.html", context)


@customer_required
def dashboard(request):
    """Pulpit: the page after login."""
    context = {
        "customer": request.customer,
        "consumption_summary": consumption_summary(customer=request.customer, today=timezone.localdate()),
        **dashboard_context(request.customer),  # the balance panel
    }
    return render(request, "customers/dashboard.html", context)


@require_GET
def documents(request):
    """Dokumenty do pobrania: the printable forms, blank for anyone and filled in for a logged-in customer."""
    context = {"forms": FORMS.values(), "signed_in": signed_in_customer(request)}
    return render(request, "public/documents.html", context)


def _form_response(request, form, customer=None):
    try:
        content = form_render_pdf(form=form, customer=customer)
    except PdfUnavailable:
        return render(request, "public/form_unavailable.html", {"form": form}, status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{form_filename(form, customer)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
@vary_on_cookie  # the language cookie picks the translation
def blank_form_pdf(request, slug):
    """A form with blank lines for the customer's particulars: the same for everyone, so caches may keep it."""
    return _form_response(request, get_form(slug))


@require_GET
@never_cache
@customer_required
def filled_form_pdf(request, slug):
    """The form filled in with the logged-in customer's own particulars, never anyone else's."""
    return _form_response(request, get_form(slug), customer=request.customer)
