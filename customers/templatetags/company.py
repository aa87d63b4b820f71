"""The company's particulars for every page, including the error pages Django renders without a context."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def company():
    return settings.EBOK_COMPANY
