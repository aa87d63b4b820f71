from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import customer_required
from consumption.summary import consumption_summary
from customers.models import Region
from invoices.balance import dashboard_context


def landing(request):
    """The eBOK front door: one entrance per billing region, or the way back in for a logged-in customer."""
    signed_in = getattr(request.user, "customer", None) if request.user.is_authenticated else None
    return render(request, "customers/landing.html", {"regions": Region.objects.all(), "signed_in": signed_in})


@customer_required
def dashboard(request):
    """Pulpit: the page after login."""
    context = {
        "customer": request.customer,
        "consumption_summary": consumption_summary(customer=request.customer, today=timezone.localdate()),
        **dashboard_context(request.customer),  # the balance panel
    }
    return render(request, "customers/dashboard.html", context)
