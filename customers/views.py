from django.shortcuts import render

from customers.models import Region


def landing(request):
    """The eBOK front door: one entrance per billing region."""
    return render(request, "customers/landing.html", {"regions": Region.objects.all()})
