from django.shortcuts import render

from accounts.decorators import customer_required
from customers.models import Region


def landing(request):
    """The eBOK front door: one entrance per billing region."""
    return render(request, "customers/landing.html", {"regions": Region.objects.all()})


@customer_required
def dashboard(request):
    """Pulpit: the page after login."""
    return render(request, "customers/dashboard.html", {"customer": request.customer})
