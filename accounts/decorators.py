from functools import wraps

from django.shortcuts import redirect


def customer_required(view):
    """Only a logged-in customer gets through; ``request.customer`` is then the customer.

    Every customer page starts here, and every object it shows is fetched through
    ``request.customer`` so that another customer's object is a 404, exactly like a missing one.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.customer_id is None:
            return redirect("landing")
        request.customer = user.customer
        return view(request, *args, **kwargs)

    return wrapper
