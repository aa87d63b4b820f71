"""The printable forms for any page that lists them (Konto), without each view passing them along."""

from django import template

from customers.documents import FORMS

register = template.Library()


@register.simple_tag
def printed_forms():
    return list(FORMS.values())
