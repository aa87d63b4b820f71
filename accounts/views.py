from django.contrib import auth
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from customers.models import Region


def login(request, region):
    """The region's way in. The sign-in form itself arrives with the accounts work (issue 4)."""
    region = get_object_or_404(Region, slug=region)
    return render(request, "accounts/login.html", {"region": region})


@require_POST
def logout(request):
    customer = getattr(request.user, "customer", None)
    auth.logout(request)
    if customer is not None:
        return redirect("login", region=customer.region.slug)
    return redirect("landing")
