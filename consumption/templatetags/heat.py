from django import template

from consumption.formats import format_change, format_gj

register = template.Library()

register.filter("gj", format_gj)
register.filter("change", format_change)


@register.filter
def power_mw(value):
    """Ordered power in MW with four decimals, as the contract gives it."""
    return format_gj(value, 4)
