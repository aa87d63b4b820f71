"""The customer's pages of other apps show a piece of Sprawy through this tag, so that those apps need not
import cases (cases imports them, not the other way round)."""

from django import template
from django.db import models

from cases.models import Case

register = template.Library()

BOX_SIZE = 5


@register.inclusion_tag("cases/_dashboard.html")
def cases_box(customer):
    """Pulpit: the customer's open cases, those with an answer to read first, then the newest (one query)."""
    answered_first = models.Case(models.When(status=Case.Status.ANSWERED, then=0), default=1)
    cases = Case.objects.filter(customer=customer).open().order_by(answered_first, "-filed_at", "-pk")
    found = list(cases.only("public_id", "number", "kind", "status")[: BOX_SIZE + 1])
    return {"open_cases": found[:BOX_SIZE], "more": len(found) > BOX_SIZE}
