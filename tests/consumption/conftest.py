import calendar
import datetime
from decimal import Decimal

import pytest

from consumption.models import ConsumptionReading
from customers.models import MeteringPoint


def add_month_readings(point, year, values, *, estimates=()):
    """One reading per calendar month of ``year``: ``values`` is {month: GJ as str}."""
    meter = Decimal("1000.000")
    readings = []
    for month, value in sorted(values.items()):
        meter += Decimal(value)
        readings.append(
            ConsumptionReading(
                point=point,
                period_from=datetime.date(year, month, 1),
                period_to=datetime.date(year, month, calendar.monthrange(year, month)[1]),
                meter_reading_gj=meter,
                consumption_gj=Decimal(value),
                kind=ConsumptionReading.Kind.ESTIMATE if month in estimates else ConsumptionReading.Kind.REAL,
            )
        )
    return ConsumptionReading.objects.bulk_create(readings)


def add_reading(point, period_from, period_to, gj):
    """One reading of ``point`` for the period (``datetime.date`` or ISO strings), ``gj`` as str."""
    return ConsumptionReading.objects.create(
        point=point,
        period_from=datetime.date.fromisoformat(str(period_from)),
        period_to=datetime.date.fromisoformat(str(period_to)),
        consumption_gj=Decimal(gj),
    )


@pytest.fixture
def second_point(owner):
    return MeteringPoint.objects.create(
        region=owner.region,
        identifier="W-0124",
        customer=owner,
        address="ul. Grunwaldzka 14, Jaworzno",
        tariff_group="B2",
        ordered_power_mw=Decimal("0.1250"),
    )


@pytest.fixture
def foreign_points(sibling, stranger):
    """A point of the sub-customer of the same code and one of the stranger in the other region."""
    points = [
        MeteringPoint.objects.create(
            region=customer.region, identifier=f"W-9{n}", customer=customer, address=f"ul. Obca {n}"
        )
        for n, customer in enumerate([sibling, stranger])
    ]
    for point in points:
        add_month_readings(point, 2025, {1: "999.999"})
    return points
