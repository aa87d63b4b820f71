"""What the Zużycie ciepła page, its chart and its exports show, computed once per request.

Every figure follows one rule (``ConsumptionReading.assigned_month``): a billing period counts whole in
the month, and so the year, in which it ends. The per-period tables, the monthly chart, the yearly
totals, the dashboard and the exports all add up the same readings, so their numbers always agree.

Queries: the customer's points (1), totals per point and year (1), readings of the chosen year and the
year before (1) — three, whatever the number of points, readings or years.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from consumption.formats import active_separators, format_change, format_date, format_gj
from consumption.models import ConsumptionReading

MONTHS = [
    _("styczeń"),
    _("luty"),
    _("marzec"),
    _("kwiecień"),
    _("maj"),
    _("czerwiec"),
    _("lipiec"),
    _("sierpień"),
    _("wrzesień"),
    _("październik"),
    _("listopad"),
    _("grudzień"),
]
MONTHS_SHORT = [
    _("sty"),
    _("lut"),
    _("mar"),
    _("kwi"),
    _("maj"),
    _("cze"),
    _("lip"),
    _("sie"),
    _("wrz"),
    _("paź"),
    _("lis"),
    _("gru"),
]
ZERO = Decimal("0.000")


def percent_change(current, previous):
    """Change from ``previous`` to ``current`` in per cent, one decimal; None when it cannot be said."""
    if current is None or previous is None or previous == 0:
        return None
    return ((current - previous) * 100 / previous).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class MonthRow:
    month: int
    current: Decimal | None
    previous: Decimal | None

    @property
    def name(self):
        return MONTHS[self.month - 1]

    @property
    def short_name(self):
        return MONTHS_SHORT[self.month - 1]

    @property
    def change(self):
        return percent_change(self.current, self.previous)


@dataclass
class YearComparison:
    """Twelve months of ``year`` against the same months of the year before.

    A month without readings is None (no data), not zero. The change over the year is computed only over
    the months that have data in both years, so a missing month never reads as a saving.
    """

    year: int
    months: list

    @classmethod
    def from_monthly(cls, year, current, previous):
        """``current`` and ``previous``: {month: GJ} of ``year`` and of the year before."""
        return cls(year, [MonthRow(m, current.get(m), previous.get(m)) for m in range(1, 13)])

    @property
    def previous_year(self):
        return self.year - 1

    @property
    def current_total(self):
        return sum((row.current for row in self.months if row.current is not None), ZERO)

    @property
    def previous_total(self):
        return sum((row.previous for row in self.months if row.previous is not None), ZERO)

    @property
    def common_months(self):
        return [row for row in self.months if row.current is not None and row.previous is not None]

    @property
    def all_months_comparable(self):
        """Whether every month with data in one of the years has data in the other as well."""
        return all((row.current is None) == (row.previous is None) for row in self.months)

    @property
    def change(self):
        common = self.common_months
        if not common:
            return None
        return percent_change(sum(row.current for row in common), sum(row.previous for row in common))

    def table(self):
        """The months as the page's table prints them: (month, name, previous, current, change), formatted here
        once rather than by a filter per cell. A month without data is None (the page says "brak danych")."""
        rows, separators = [], active_separators()
        for row in self.months:
            name = str(row.name)
            rows.append(
                (
                    row.month,
                    name[:1].upper() + name[1:],
                    None if row.previous is None else format_gj(row.previous, separators=separators),
                    None if row.current is None else format_gj(row.current, separators=separators),
                    format_change(row.change, separators=separators) or "—",
                )
            )
        return rows

    @property
    def has_data(self):
        return any(row.current is not None or row.previous is not None for row in self.months)

    @property
    def maximum(self):
        values = [v for row in self.months for v in (row.current, row.previous) if v is not None]
        return max(values, default=ZERO)


def monthly_totals(readings, year):
    """{month: GJ} of the readings assigned to ``year``."""
    totals = {}
    for reading in readings:
        reading_year, month = reading.assigned_month
        if reading_year == year:
            totals[month] = totals.get(month, ZERO) + reading.consumption_gj
    return totals


@dataclass
class PointYear:
    """One point in the chosen year: its billing periods newest first and their total."""

    point: object
    readings: list = field(default_factory=list)

    @property
    def total(self):
        return sum((reading.consumption_gj for reading in self.readings), ZERO)

    @property
    def estimates(self):
        return sum(1 for reading in self.readings if reading.is_estimate)

    def rows(self):
        """The periods as the page prints them: (from, to, kind, is estimate, meter, consumption), formatted
        here once rather than by a filter per cell (the page of a 10-point customer has hundreds of cells)."""
        kinds = {kind: str(label) for kind, label in ConsumptionReading.Kind.choices}
        separators = active_separators()
        return [
            (
                format_date(reading.period_from),
                format_date(reading.period_to),
                kinds[reading.kind],
                reading.is_estimate,
                format_gj(reading.meter_reading_gj, separators=separators) or "—",
                format_gj(reading.consumption_gj, separators=separators),
            )
            for reading in self.readings
        ]


@dataclass
class YearTotals:
    """One row of "totals per year": each shown point's GJ (None: no readings that year) and their sum."""

    year: int
    by_point: list

    @property
    def total(self):
        return sum((value for value in self.by_point if value is not None), ZERO)


class ConsumptionReport:
    """The customer's consumption for the chosen ``year`` and ``points`` (one point, or all and their sum).

    ``all_points`` is every point of the customer, already fetched through the customer; ``points`` the
    shown subset of it.
    """

    def __init__(self, *, all_points, points):
        self.all_points = all_points
        self.points = points
        self.year = None
        self.first_year = None
        self.readings = []
        self._yearly = list(
            ConsumptionReading.objects.filter(point__in=[p.pk for p in all_points])
            .values("point_id", year=ExtractYear("period_to"))
            .annotate(total=Sum("consumption_gj"))
            .order_by()
        )

    @property
    def years(self):
        """Every year with readings of any of the customer's points, newest first."""
        return sorted({row["year"] for row in self._yearly}, reverse=True)

    @property
    def yearly(self):
        """Totals per year of the shown points, newest first."""
        shown = {p.pk: index for index, p in enumerate(self.points)}
        rows = {}
        for row in self._yearly:
            if row["point_id"] not in shown:
                continue
            totals = rows.setdefault(row["year"], YearTotals(row["year"], [None] * len(self.points)))
            totals.by_point[shown[row["point_id"]]] = row["total"]
        return [rows[year] for year in sorted(rows, reverse=True)]

    def yearly_table(self):
        """``yearly`` as the page prints it: (year, each shown point's GJ or "—", their total), formatted here
        once rather than by a filter per cell (a customer of many years and points has many)."""
        separators = active_separators()
        return [
            (
                totals.year,
                ["—" if value is None else format_gj(value, separators=separators) for value in totals.by_point],
                format_gj(totals.total, separators=separators),
            )
            for totals in self.yearly
        ]

    @property
    def default_year(self):
        """The newest year with readings; the current one for a customer without any."""
        years = self.years
        return years[0] if years else timezone.localdate().year

    def load(self, *, year, first_year=None):
        """Fetch the shown points' readings from ``first_year`` (default: the year before ``year``) to ``year``."""
        self.year = year
        self.first_year = year - 1 if first_year is None else first_year
        self.readings = list(
            ConsumptionReading.objects.filter(point__in=[p.pk for p in self.points])
            .assigned_to_years(self.first_year, year)
            .order_by("-period_to", "-period_from")
        )
        return self

    def per_point(self, *, every_year=False):
        """The shown points, each with its readings of the chosen year (or all loaded ones), newest first."""
        by_point = {p.pk: PointYear(p) for p in self.points}
        for reading in self.readings:
            if every_year or reading.period_to.year == self.year:
                by_point[reading.point_id].readings.append(reading)
        return list(by_point.values())

    @cached_property
    def comparison(self):
        return YearComparison.from_monthly(
            self.year, monthly_totals(self.readings, self.year), monthly_totals(self.readings, self.year - 1)
        )
