"""Outages on the pages of older apps (Pulpit, Konto, Zużycie ciepła), so that they need not import this app:
the arrow points one way, from outages to customers, accounts and consumption."""

import datetime

from django import template
from django.db import connection
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
    # The published, not cancelled outages on the points that began before the periods' end and had not ended
    # before their start, each with `marked_point_id` (an outage on two points comes twice). Written out: the
    # ORM took ~2 ms to build this join on every page (nearly all without any outage), the database ~0.5 ms
    # to answer it (ebok_load). Portable SQL, placeholders for every value, the tables' names from the models.
    sql = """
        SELECT outage.*, link.meteringpoint_id AS marked_point_id
        FROM {outage} outage INNER JOIN {link} link ON link.outage_id = outage.id
        WHERE link.meteringpoint_id IN ({points})
          AND outage.published_at IS NOT NULL AND outage.cancelled_at IS NULL
          AND outage.starts_at < %s AND (outage.ended_at IS NULL OR outage.ended_at >= %s)
        ORDER BY outage.starts_at, outage.id
    """.format(  # noqa: S608 - only the tables' names and placeholders are formatted in
        outage=Outage._meta.db_table,
        link=Outage.points.through._meta.db_table,
        points=", ".join(["%s"] * len(readings)),
    )
    moments = [
        connection.ops.adapt_datetimefield_value(
            timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        )
        for day in (end, start)
    ]
    spans = {}
    for outage in Outage.objects.raw(sql, [*readings, *moments]):
        spans.setdefault(outage.marked_point_id, []).append(
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
