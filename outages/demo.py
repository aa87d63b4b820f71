"""Demo outages for `make run` (manage.py demo_data): a current failure, a shutdown planned in a few weeks and
one that ended yesterday, on the streets of each region's demo customer, so that the public page, the feed,
the calendar and the demo customer's Pulpit and consumption page show something. Published through the real
service: the current and planned ones queue their e-mails (to the demo's .example addresses)."""

import datetime

from django.utils import timezone

from customers.demo.logins import DEMO_NUMBER
from customers.models import Customer, MeteringPoint, Region
from outages.models import Outage
from outages.services import outage_publish, outage_refresh_areas
from outages.streets import parse_address, region_towns


def _street_points(region, customer):
    """The region's points on the streets of `customer`'s points (the demo customer's neighbours too)."""
    towns = region_towns(region)
    points = list(MeteringPoint.objects.filter(region=region))
    streets = {parse_address(p.address, towns)[0] for p in points if p.customer_id == customer.pk}
    return [p for p in points if parse_address(p.address, towns)[0] in streets]


def _outage(region, points, **fields):
    outage = Outage.objects.create(region=region, **fields)
    outage.points.set(points)
    outage_refresh_areas(outage=outage)
    outage_publish(outage=outage)
    return outage


def add_demo_outages(now=None):
    """Three outages per region; returns how many were added."""
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    added = 0
    for region in Region.objects.all():
        customer = Customer.objects.filter(region=region, number=DEMO_NUMBER, sub_code="0000").first()
        if customer is None:
            continue
        points = _street_points(region, customer)
        first = list(customer.metering_points.order_by("identifier")[:1])
        _outage(region, points, kind=Outage.Kind.FAILURE, title="Awaria sieci ciepłowniczej — wyciek na magistrali",
                description="Wyciek wody sieciowej pod jezdnią. Ekipa pogotowia ciepłowniczego wymienia odcinek rury."
                " Po naprawie sieć trzeba napełnić i odpowietrzyć.", starts_at=now - datetime.timedelta(hours=3),
                expected_end=now + datetime.timedelta(hours=9))  # fmt: skip
        start = (now + datetime.timedelta(days=24)).replace(hour=7)
        _outage(region, points, kind=Outage.Kind.PLANNED, title="Planowany przegląd i płukanie sieci",
                description="Coroczne prace konserwacyjne sieci. Przez dwa dni nie będzie ciepłej wody.",
                heat=False, starts_at=start, expected_end=start + datetime.timedelta(days=2, hours=8))  # fmt: skip
        yesterday = now - datetime.timedelta(days=1)
        _outage(region, first, kind=Outage.Kind.FAILURE, title="Awaria zaworu w komorze ciepłowniczej",
                description="Uszkodzony zawór odcinający; wymieniony.", starts_at=yesterday.replace(hour=6),
                expected_end=yesterday.replace(hour=14), ended_at=yesterday.replace(hour=12))  # fmt: skip
        added += 3
    return added
