from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.decorators import customer_required
from cases.models import Case


def _get_case_for_customer(request, public_id):
    """The logged-in customer's case; anyone else's (another sub-customer's, the same code's in the other
    region) is a 404, exactly like a missing one."""
    return get_object_or_404(Case.objects.filter(customer=request.customer), public_id=public_id)


@require_GET
@customer_required
def case_detail(request, public_id):
    case = _get_case_for_customer(request, public_id)
    return render(request, "cases/detail.html", {"case": case})
