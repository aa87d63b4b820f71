import datetime

from django import template

from cases.models import Case

register = template.Library()


@register.filter
def case_kind(value):
    """The name of a case kind ("reklamacja" → Reklamacja faktury), in the active language."""
    return Case.Kind(value).label


@register.filter
def iso_date(value):
    """A date an e-mail's context keeps as text (JSON), back as a date for Django's localised formatting."""
    return datetime.date.fromisoformat(value)
