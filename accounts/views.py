from django.shortcuts import get_object_or_404, render

from customers.models import Region


def login(request, region):
    """The region's way in. The sign-in form itself arrives with the accounts work (issue 4)."""
    region = get_object_or_404(Region, slug=region)
    return render(request, "accounts/login.html", {"region": region})
