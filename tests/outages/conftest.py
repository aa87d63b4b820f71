import datetime

import pytest
from django.utils import timezone

from customers.models import MeteringPoint
from outages.models import Outage
from outages.services import outage_refresh_areas

NOW = timezone.make_aware(datetime.datetime(2026, 12, 2, 10, 0))


def make_point(customer, identifier, address):
    return MeteringPoint.objects.create(
        region=customer.region, identifier=identifier, customer=customer, address=address
    )


def make_outage(region, points=(), **fields):
    """An outage in `region` on `points`, current by default (begun an hour ago, 6 hours expected)."""
    now = timezone.now()
    values = {
        "kind": Outage.Kind.FAILURE,
        "title": "Awaria sieci przy ul. Grunwaldzkiej",
        "description": "Pęknięta rura magistrali; ekipa pracuje na miejscu.",
        "starts_at": now - datetime.timedelta(hours=1),
        "expected_end": now + datetime.timedelta(hours=6),
        **fields,
    }
    outage = Outage.objects.create(region=region, **values)
    outage.points.set(points)
    outage_refresh_areas(outage=outage)
    return outage


@pytest.fixture
def sibling_point(sibling):
    return make_point(sibling, "W-0200", "ul. Grunwaldzka 14, Jaworzno")


@pytest.fixture
def stranger_point(stranger):
    return make_point(stranger, "W-0123", "ul. Grunwaldzka 12, Sosnowiec")
