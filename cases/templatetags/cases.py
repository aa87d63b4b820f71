import datetime

from django import template

from cases.models import Case

register = template.Library()


@register.filter
def case_kind(value):
    """The name of a case kind ("reklamacja" → Reklamacja faktury), in the active language."""
    try:
        return Case.Kind(value).label
    except ValueError:  # a kind renamed after its e-mail was queued: the stored value rather than a mail never sent
        return value


@register.filter
def iso_date(value):
    """A date an e-mail's context keeps as text (JSON), back as a date for Django's localised formatting; as
    Django's own filters, "" for what is not one (a template filter fails silently)."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return ""


@register.filter
def iso_datetime(value):
    """A moment an e-mail's context keeps as ISO text, back as an aware datetime (shown in local time); "" for
    what is not one."""
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return ""
