"""The Pulpit's consumption box: this year so far against the same months of last year.

Prawo energetyczne art. 5 ust. 6c asks the seller to show a customer's consumption against the previous
year's. One query; months follow ``ConsumptionReading.assigned_month`` (a period counts in the month it
ends in), like the Zużycie ciepła page.
"""

from django.db.models import Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from consumption.models import ConsumptionReading
from consumption.report import YearComparison


def consumption_summary(*, customer, today):
    """The year of ``today`` against the year before, all of the customer's points together.

    Returns None when the customer has no readings in either year. ``comparison.change`` covers only the
    months with readings in both years (so far: up to the newest month read this year).
    """
    rows = (
        ConsumptionReading.objects.for_customer(customer)
        .assigned_to_years(today.year - 1, today.year)
        .values(year=ExtractYear("period_to"), month=ExtractMonth("period_to"))
        .annotate(total=Sum("consumption_gj"))
        .order_by()
    )
    monthly = {today.year: {}, today.year - 1: {}}
    for row in rows:
        monthly[row["year"]][row["month"]] = row["total"]
    if not monthly[today.year] and not monthly[today.year - 1]:
        return None
    # "So far": last year only up to the newest month with readings this year (all of it if none yet).
    last_month = max(monthly[today.year], default=0)
    previous = {month: gj for month, gj in monthly[today.year - 1].items() if month <= (last_month or 12)}
    comparison = YearComparison.from_monthly(today.year, monthly[today.year], previous)
    return {"comparison": comparison, "last_month": comparison.months[last_month - 1] if last_month else None}
