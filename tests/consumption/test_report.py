import datetime
from decimal import Decimal

import pytest

from consumption.chart import month_chart, nice_scale
from consumption.formats import format_change, format_gj
from consumption.models import ConsumptionReading
from consumption.report import YearComparison, percent_change


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [("0", ("1", 4)), ("0.4", ("0.5", 5)), ("7", ("10", 4)), ("100", ("100", 4)), ("101", ("200", 4)),
     ("240", ("250", 5)), ("250.001", ("500", 5)), ("5001", ("10000", 4))],
)  # fmt: skip
def test_the_scale_is_round_and_above_the_highest_bar(maximum, scale):
    top, steps = nice_scale(Decimal(maximum))
    assert (top, steps) == (Decimal(scale[0]), scale[1])
    assert top >= Decimal(maximum)


def test_the_chart_draws_no_bar_for_a_month_without_data_and_a_zero_bar_for_zero():
    comparison = YearComparison.from_monthly(2026, {1: Decimal("40"), 2: Decimal("0")}, {1: Decimal("80")})
    chart = month_chart(comparison)
    assert [(bar.year, bar.month, bar.height) for bar in chart["bars"]] == [
        (2025, 1, 166.4),
        (2026, 1, 83.2),
        (2026, 2, 0.0),
    ]
    assert [line["label"] for line in chart["grid"]] == ["0", "25", "50", "75", "100"]
    assert len(chart["months"]) == 12


def test_percent_change():
    assert percent_change(Decimal("90"), Decimal("100")) == Decimal("-10.0")
    assert percent_change(Decimal("1"), Decimal("3")) == Decimal("-66.7")
    assert percent_change(Decimal("5"), Decimal("0")) is None
    assert percent_change(None, Decimal("3")) is None


def test_formats():
    assert format_gj(Decimal("1234567.5")) == "1\xa0234\xa0567,500"
    assert format_gj(None) == ""
    assert format_change(Decimal("-4.4")) == "\u22124,4\xa0%"
    assert format_change(Decimal("12.0")) == "+12,0\xa0%"
    assert format_change(Decimal("0.0")) == "0,0\xa0%"


def test_a_reading_is_assigned_to_the_month_its_period_ends_in():
    reading = ConsumptionReading(period_from=datetime.date(2025, 12, 15), period_to=datetime.date(2026, 1, 14))
    assert reading.assigned_month == (2026, 1)
    reading = ConsumptionReading(period_from=datetime.date(2026, 1, 1), period_to=datetime.date(2026, 3, 31))
    assert reading.assigned_month == (2026, 3)
