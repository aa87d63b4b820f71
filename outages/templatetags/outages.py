"""Outages on the pages of older apps (Pulpit, Konto, Zużycie ciepła), so that they need not import this app:
the arrow points one way, from outages to customers, accounts and consumption."""

import datetime

from django import template
from django.db.models import Prefetch
from django.utils import timezone

from customers.models import MeteringPoint
from outages.models import Outage

register = template.Library()


@register.inclusion_tag("outages/_dashboard.html")
def outage_notices(customer):
    """Pulpit: each current or upcoming outage on one of `customer`'s own points, with those points (2 queries)."""
    mine = MeteringPoint.objects.filter(customer=customer).order_by("identifier")
    outages = list(
        Outage.objects.current_or_upcoming()
        .filter(points__customer=customer)
        .distinct()
        .select_related("region")
        .prefetch_related(Prefetch("points", queryset=mine, to_attr="customer_points"))
        .order_by("starts_at", "pk")
    )
    return {"outages": outages, "now": timezone.now()}


@register.inclusion_tag("outages/_account.html", takes_context=True)
def outage_notice_switch(context, customer):
    """Konto: whether the outage e-mails are on, the switch, and the history of the choice (1 query)."""
    history = list(customer.outage_notice_choices.order_by("-recorded_at", "-pk"))
    return {
        "customer": customer,
        "enabled": not history or history[0].enabled,
        "history": history,
        "csrf_token": context.get("csrf_token"),
    }


def _local_date(moment):
    return timezone.localtime(moment).date()


@register.simple_tag
def outage_marks(report):
    """Zużycie ciepła: the published outages on each shown point that overlap its billing periods of the chosen
    year: {"rows": {point id: [[outage, …] for each row of the page]}, "outages": {point id: [outage, …]}}.
    A period is affected when the outage's days (start to end, expected end or now) touch it. One query."""
    readings = {year.point.pk: year.readings for year in report.per_point()}
    periods = [reading for rows in readings.values() for reading in rows]
    if not periods:
        return {"rows": {}, "outages": {}}
    start = min(reading.period_from for reading in periods)
    end = max(reading.period_to for reading in periods) + datetime.timedelta(days=1)
    links = (
        Outage.points.through.objects.filter(meteringpoint_id__in=list(readings), outage__published_at__isnull=False)
        .filter(outage__cancelled_at__isnull=True)
        .filter(outage__starts_at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time.min)))
        .exclude(outage__ended_at__lt=timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)))
        .select_related("outage")
        .order_by("outage__starts_at", "outage_id")
    )
    spans = {}
    for link in links:
        outage = link.outage
        spans.setdefault(link.meteringpoint_id, []).append(
            (outage, _local_date(outage.starts_at), _local_date(outage.end_for_periods()))
        )
    marks, listed = {}, {}
    for point_id, rows in readings.items():
        on_point = spans.get(point_id, [])
        marks[point_id] = [
            [outage for outage, first, last in on_point if first <= reading.period_to and last >= reading.period_from]
            for reading in rows
        ]
        listed[point_id] = list(dict.fromkeys(outage for row in marks[point_id] for outage in row))
    return {"rows": marks, "outages": listed}


@register.filter
def item(mapping, key):
    """`mapping[key]`, or [] (a list by position, a dict by key)."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return []
