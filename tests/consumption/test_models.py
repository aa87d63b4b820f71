import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from consumption.models import ConsumptionReading


def reading(point, **fields):
    values = {
        "point": point,
        "period_from": datetime.date(2026, 10, 1),
        "period_to": datetime.date(2026, 10, 31),
        "meter_reading_gj": Decimal("1520.125"),
        "consumption_gj": Decimal("85.310"),
    }
    values.update(fields)
    return ConsumptionReading.objects.create(**values)


def test_it_stores_a_reading_with_its_precision(point):
    stored = ConsumptionReading.objects.get(pk=reading(point).pk)
    assert stored.consumption_gj == Decimal("85.310")
    assert stored.kind == ConsumptionReading.Kind.REAL


def test_it_rejects_negative_consumption(point):
    with pytest.raises(IntegrityError), transaction.atomic():
        reading(point, consumption_gj=Decimal("-0.001"))


def test_it_rejects_an_inverted_period(point):
    with pytest.raises(IntegrityError), transaction.atomic():
        reading(point, period_from=datetime.date(2026, 11, 1))


def test_it_accepts_a_one_day_period(point):
    assert reading(point, period_from=datetime.date(2026, 10, 31)).pk


def test_it_rejects_the_same_period_twice(point):
    reading(point)
    with pytest.raises(IntegrityError), transaction.atomic():
        reading(point, consumption_gj=Decimal("1.000"))


def test_it_rejects_an_unknown_kind(point):
    with pytest.raises(IntegrityError), transaction.atomic():
        reading(point, kind="X")
