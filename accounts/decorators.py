from functools import wraps

from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

# Set in the session by a login with a one-time password: until the customer has chosen its own
# password, every customer page leads to the page that sets it.
MUST_SET_PASSWORD = "ebok_must_set_password"  # noqa: S105 - a session key, not a secret


def customer_required(view=None, *, allow_one_time=False):
    """Only a logged-in customer gets through; ``request.customer`` is then the customer.

    Every customer page starts here, and every object it shows is fetched through
    ``request.customer`` so that another customer's object is a 404, exactly like a missing one.
    """
    if view is None:
        return lambda view: customer_required(view, allow_one_time=allow_one_time)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.customer_id is None:
            return redirect("landing")
        if request.session.get(MUST_SET_PASSWORD) and not allow_one_time:
            return redirect("set_password")
        request.customer = user.customer
        response = view(request, *args, **kwargs)
        # A customer's pages and files are theirs alone: no shared or browser cache keeps them.
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def signed_in_customer(request):
    """The customer this browser is logged in as, if any: pages of the way in then lead back in."""
    return getattr(request.user, "customer", None) if request.user.is_authenticated else None
